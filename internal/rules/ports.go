package rules

import (
	"slices"
	"strconv"
	"strings"
)

// portRange is an inclusive range of TCP or UDP ports.
type portRange struct{ from, to int }

// allPorts is every TCP or UDP port.
var allPorts = portRange{0, 65535}

// String shows a range as "22" or "1020-1025".
func (r portRange) String() string {
	if r.from == r.to {
		return strconv.Itoa(r.from)
	}
	return strconv.Itoa(r.from) + "-" + strconv.Itoa(r.to)
}

// contains reports whether port is in the range.
func (r portRange) contains(port int) bool { return r.from <= port && port <= r.to }

// parsePorts reads a port list such as "443,1020-1025". Entries that are not a port or a range of
// ports (0–65535, low ≤ high) are ignored: a malformed authorized port authorizes nothing and a
// malformed blocked port blocks nothing.
func parsePorts(s string) []portRange {
	var out []portRange
	for _, entry := range splitCSV(s) {
		lo, hi, isRange := strings.Cut(entry, "-")
		from, ok := parsePort(lo)
		to := from
		if isRange {
			var okTo bool
			to, okTo = parsePort(hi)
			ok = ok && okTo
		}
		if ok && from <= to {
			out = append(out, portRange{from, to})
		}
	}
	return out
}

// parsePort reads one port number.
func parsePort(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil && allPorts.contains(n)
}

// covered reports whether every port of r is in one of the ranges of set.
func covered(r portRange, set []portRange) bool {
	sorted := slices.Clone(set)
	slices.SortFunc(sorted, func(a, b portRange) int { return a.from - b.from })
	next := r.from // the lowest port of r not yet known to be covered
	for _, s := range sorted {
		if s.from > next {
			break
		}
		next = max(next, s.to+1)
		if next > r.to {
			return true
		}
	}
	return next > r.to
}

// overlap returns the lowest port r shares with a range of set; ok is false when there is none.
func overlap(r portRange, set []portRange) (port int, ok bool) {
	port = -1
	for _, s := range set {
		if lo := max(r.from, s.from); lo <= min(r.to, s.to) && (port < 0 || lo < port) {
			port = lo
		}
	}
	return port, port >= 0
}
