package rules

import (
	"fmt"
	"strings"
)

// worldIPv4 is the only source the security group rules treat as "the internet"; IPv6 ranges
// (::/0) are ignored, as AWS documents for these rules.
const worldIPv4 = "0.0.0.0/0"

// Protocols of an open ingress permission after normalisation.
const (
	protoTCP = "tcp"
	protoUDP = "udp"
	protoAll = "all" // ipProtocol -1: every protocol and port
)

// openIngress is one inbound permission of a security group that is open to 0.0.0.0/0.
type openIngress struct {
	protocol string    // protoTCP, protoUDP, protoAll, or the recorded protocol in lower case
	ports    portRange // the ports opened; allPorts for protoAll
}

// worldIngress returns the inbound permissions (ipPermissions) open to 0.0.0.0/0. A TCP or UDP
// permission without a valid fromPort/toPort range is malformed and left out: it opens nothing.
// Ports of a -1 permission are ignored (absent means all).
func worldIngress(c value) []openIngress {
	var out []openIngress
	for _, perm := range c.get("ipPermissions").list() {
		if !openToWorld(perm) {
			continue
		}
		in := openIngress{protocol: protocol(perm.get("ipProtocol").text()), ports: allPorts}
		if in.protocol == protoTCP || in.protocol == protoUDP {
			from, okFrom := perm.get("fromPort").integer()
			to, okTo := perm.get("toPort").integer()
			if !okFrom || !okTo || from > to || !allPorts.contains(from) || !allPorts.contains(to) {
				continue
			}
			in.ports = portRange{from, to}
		}
		out = append(out, in)
	}
	return out
}

// protocol normalises an ipProtocol: names and numbers of TCP and UDP, and -1 for all.
func protocol(p string) string {
	switch p = strings.ToLower(strings.TrimSpace(p)); p {
	case "tcp", "6":
		return protoTCP
	case "udp", "17":
		return protoUDP
	case "-1", "all":
		return protoAll
	}
	return p
}

// openToWorld reports whether a permission's IPv4 sources include 0.0.0.0/0, in ipv4Ranges
// ([{cidrIp}]) or ipRanges (strings, or objects with cidrIp).
func openToWorld(perm value) bool {
	ranges := append(perm.get("ipv4Ranges").list(), perm.get("ipRanges").list()...)
	for _, r := range ranges {
		cidr := r.str()
		if cidr == "" {
			cidr = r.get("cidrIp").str()
		}
		if strings.TrimSpace(cidr) == worldIPv4 {
			return true
		}
	}
	return false
}

// sshPort is the port INCOMING_SSH_DISABLED protects.
const sshPort = 22

// checkIncomingSSH (INCOMING_SSH_DISABLED): no TCP permission covering port 22, and no all-traffic
// permission, may be open to 0.0.0.0/0.
func checkIncomingSSH(_ Env, _ *Item, c value, _ Params) verdict {
	for _, in := range worldIngress(c) {
		switch {
		case in.protocol == protoAll:
			return nonCompliant("All traffic, including SSH, is allowed from %s.", worldIPv4)
		case in.protocol == protoTCP && in.ports.contains(sshPort):
			return nonCompliant("SSH (TCP port %d) is allowed from %s.", sshPort, worldIPv4)
		}
	}
	return compliant()
}

// blockedPortParams are the parameters of RESTRICTED_INCOMING_TRAFFIC: blockedPort1…5 with AWS's
// defaults, and the newer comma-separated blockedPorts.
func blockedPortParams() []Param {
	defaults := []string{"20", "21", "3389", "3306", "4333"}
	ps := make([]Param, 0, len(defaults)+1)
	for i, d := range defaults {
		ps = append(ps, Param{Name: blockedPortParam(i + 1), Default: d, Description: "A TCP port that must not be open to 0.0.0.0/0."})
	}
	return append(ps, Param{Name: "blockedPorts", Description: "Comma-separated TCP ports (or ranges) that must not be open to 0.0.0.0/0."})
}

// blockedPortParam names the i-th single-port parameter of RESTRICTED_INCOMING_TRAFFIC.
func blockedPortParam(i int) string { return fmt.Sprintf("blockedPort%d", i) }

// blockedPorts is the union of blockedPort1…5 (defaults included) and blockedPorts: AWS applies
// each parameter's default on its own, so listing ports in blockedPorts does not unblock the
// defaults (AWS does not document how the two combine; this is orgconfig's choice).
func blockedPorts(p Params) []portRange {
	specs := []string{p["blockedPorts"]}
	for i := 1; i <= 5; i++ {
		specs = append(specs, p[blockedPortParam(i)])
	}
	return parsePorts(strings.Join(specs, ","))
}

// checkRestrictedPorts (RESTRICTED_INCOMING_TRAFFIC): no TCP permission (or all-traffic
// permission) open to 0.0.0.0/0 may cover a blocked port. Security groups are evaluated whether or
// not they are in use (AWS's page speaks of security groups in use; orgconfig evaluates every
// group).
func checkRestrictedPorts(_ Env, _ *Item, c value, p Params) verdict {
	blocked := blockedPorts(p)
	for _, in := range worldIngress(c) {
		switch in.protocol {
		case protoAll:
			if len(blocked) > 0 {
				return nonCompliant("All traffic, including blocked ports, is allowed from %s.", worldIPv4)
			}
		case protoTCP:
			if port, ok := overlap(in.ports, blocked); ok {
				return nonCompliant("Blocked TCP port %d is allowed from %s.", port, worldIPv4)
			}
		}
	}
	return compliant()
}

// checkDefaultSecurityGroup (VPC_DEFAULT_SECURITY_GROUP_CLOSED): a VPC's default security group
// must have no inbound and no outbound rules; other groups are not applicable.
func checkDefaultSecurityGroup(_ Env, _ *Item, c value, _ Params) verdict {
	if c.get("groupName").str() != "default" {
		return notApplicable("Not a default security group.")
	}
	if c.get("ipPermissions").nonEmptyList() || c.get("ipPermissionsEgress").nonEmptyList() {
		return nonCompliant("The default security group has inbound or outbound rules.")
	}
	return compliant()
}

// checkAuthorizedPorts (VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS): every TCP or UDP port open to
// 0.0.0.0/0 must be in the authorized list of its protocol; an all-traffic permission needs every
// TCP and UDP port authorized. Other protocols (ICMP…) are not examined.
func checkAuthorizedPorts(_ Env, _ *Item, c value, p Params) verdict {
	authorized := map[string][]portRange{
		protoTCP: parsePorts(p["authorizedTcpPorts"]),
		protoUDP: parsePorts(p["authorizedUdpPorts"]),
	}
	for _, in := range worldIngress(c) {
		switch in.protocol {
		case protoAll:
			if !covered(allPorts, authorized[protoTCP]) || !covered(allPorts, authorized[protoUDP]) {
				return nonCompliant("All traffic is allowed from %s.", worldIPv4)
			}
		case protoTCP, protoUDP:
			if !covered(in.ports, authorized[in.protocol]) {
				return nonCompliant("%s ports %s are allowed from %s but not all authorized.", strings.ToUpper(in.protocol), in.ports, worldIPv4)
			}
		}
	}
	return compliant()
}
