package policy

import (
	"bytes"
	"testing"
)

// FuzzParse: Parse never panics; whatever it accepts marshals to a canonical form that parses
// back to the same canonical form; evaluating an accepted document never panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
		`{"Version":"2008-10-17","Statement":[{"Sid":"1","Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":"arn:aws:iam::*:role/x"}]}`,
		`{"Statement":{"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::1:root"],"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":["a",1,true]}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotPrincipal":"*","Action":"a:b","Condition":{"ForAnyValue:StringLikeIfExists":{"k":"${aws:username}*"},"Null":{"x":"true"}}}}`,
		`{"Version":"2012-10-17","Id":"","Statement":[]}`,
		`{}`, `[]`, `null`, `"x"`, `{"Statement":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for _, k := range []Kind{Identity, Trust, SCP} {
			_ = d.Validate(k)
		}
		ctx := Context{}
		ctx.Set("aws:username", "alice")
		ctx.Set("aws:PrincipalAccount", "111111111111")
		caller := &Caller{Type: CallerUser, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/alice"}
		_ = Evaluate(Request{Action: "iam:GetRole", Resource: "arn:aws:iam::111111111111:role/x", Caller: caller, Context: ctx}, d)
		_ = EvaluateSCP(Request{Action: "config:PutConfigRule", Resource: "*", Context: ctx}, [][]*Document{{d}, {d}})
		out := d.Marshal()
		d2, err := Parse(out)
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, out)
		}
		if out2 := d2.Marshal(); !bytes.Equal(out, out2) {
			t.Fatalf("canonical form not stable:\n%s\n%s", out, out2)
		}
	})
}
