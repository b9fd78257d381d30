package rules

import "testing"

// TestRequiredTags: REQUIRED_TAGS and each of its parameters.
func TestRequiredTags(t *testing.T) {
	tagged := func(kv ...string) Item {
		it := Item{Tags: map[string]string{}}
		for i := 0; i+1 < len(kv); i += 2 {
			it.Tags[kv[i]] = kv[i+1]
		}
		return it
	}
	runCases(t, "REQUIRED_TAGS", []evalCase{
		{name: "key present", item: tagged("CostCenter", "x"), params: `{"tag1Key":"CostCenter"}`, want: Compliant},
		{name: "key missing", item: tagged("Owner", "x"), params: `{"tag1Key":"CostCenter"}`, want: NonCompliant},
		{name: "no tags", item: Item{}, params: `{"tag1Key":"CostCenter"}`, want: NonCompliant},
		{name: "keys are case-sensitive", item: tagged("costcenter", "x"), params: `{"tag1Key":"CostCenter"}`, want: NonCompliant},
		{name: "value allowed", item: tagged("env", "prod"), params: `{"tag1Key":"env","tag1Value":"dev, prod"}`, want: Compliant},
		{name: "value not allowed", item: tagged("env", "test"), params: `{"tag1Key":"env","tag1Value":"dev,prod"}`, want: NonCompliant},
		{name: "values are case-sensitive", item: tagged("env", "Prod"), params: `{"tag1Key":"env","tag1Value":"prod"}`, want: NonCompliant},
		{name: "empty value list allows any value", item: tagged("env", "x"), params: `{"tag1Key":"env","tag1Value":" , "}`, want: Compliant},
		{name: "every key checked", item: tagged("a", "1", "f", "6"),
			params: `{"tag1Key":"a","tag6Key":"f","tag6Value":"6"}`, want: Compliant},
		{name: "tag6 missing", item: tagged("a", "1"), params: `{"tag1Key":"a","tag6Key":"f"}`, want: NonCompliant},
		{name: "tag3 wrong value", item: tagged("a", "1", "c", "x"), params: `{"tag1Key":"a","tag3Key":"c","tag3Value":"y"}`, want: NonCompliant},
		{name: "value without key ignored", item: tagged("a", "1"), params: `{"tag1Key":"a","tag2Value":"y"}`, want: Compliant},
		{name: "other resource type in scope", item: Item{ResourceType: "AWS::EC2::Volume", Tags: map[string]string{"a": "1"}},
			params: `{"tag1Key":"a"}`, want: Compliant},
		{name: "type out of scope", item: Item{ResourceType: "AWS::IAM::User"}, params: `{"tag1Key":"a"}`},
		{name: "deleted", item: Item{Status: StatusResourceDeleted}, params: `{"tag1Key":"a"}`},
		{name: "not recorded", item: Item{Status: StatusResourceNotRecorded}, params: `{"tag1Key":"a"}`},
	})
}
