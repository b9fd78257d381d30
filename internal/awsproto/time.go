package awsproto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Time is a model timestamp. In JSON it is epoch seconds with millisecond precision
// (1517942461.442), as awsJson1_1 requires; in Query/XML responses it is ISO-8601 UTC with a Z.
// The zero Time is omitted from output (use the omitzero JSON option).
type Time struct{ time.Time }

// NewTime wraps t, truncated to milliseconds as AWS stores timestamps.
func NewTime(t time.Time) Time { return Time{t.UTC().Truncate(time.Millisecond)} }

// MarshalJSON renders epoch seconds.
func (t Time) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	sec, frac := ms/1000, ms%1000
	if frac < 0 {
		sec, frac = sec-1, frac+1000
	}
	if frac == 0 {
		return strconv.AppendInt(nil, sec, 10), nil
	}
	b := strconv.AppendInt(nil, sec, 10)
	b = append(b, '.')
	f := fmt.Sprintf("%03d", frac)
	for len(f) > 1 && f[len(f)-1] == '0' {
		f = f[:len(f)-1]
	}
	return append(b, f...), nil
}

// UnmarshalJSON accepts epoch seconds (any JSON number, including exponent form) or an
// ISO-8601 string, since clients send either.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := ParseTimeString(s)
		if err != nil {
			return err
		}
		*t = Time{v}
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("invalid timestamp %q", b)
	}
	sec := math.Floor(f)
	ms := math.Round((f - sec) * 1000)
	*t = Time{time.Unix(int64(sec), int64(ms)*int64(time.Millisecond)).UTC()}
	return nil
}

// ISO8601 renders t as AWS Query responses do: 2026-01-02T03:04:05Z, with milliseconds when set.
func (t Time) ISO8601() string { return FormatISO8601(t.Time) }

// FormatISO8601 renders t in UTC with a Z, with milliseconds only when non-zero.
func FormatISO8601(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/int(time.Millisecond) != 0 {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

// ParseTimeString parses the textual timestamp forms clients send: RFC 3339 / ISO-8601 with or
// without fractional seconds, or epoch seconds as a string.
func ParseTimeString(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02"} {
		if v, err := time.Parse(layout, s); err == nil {
			return v.UTC(), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		sec := math.Floor(f)
		return time.Unix(int64(sec), int64(math.Round((f-sec)*1000))*int64(time.Millisecond)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("invalid timestamp %q", s)
}
