package rules

import (
	"fmt"
	"slices"
	"strings"
)

// requiredTagsTypes is the scope of REQUIRED_TAGS, as AWS documents it.
var requiredTagsTypes = []string{
	"AWS::ACM::Certificate",
	"AWS::AutoScaling::AutoScalingGroup",
	"AWS::CloudFormation::Stack",
	"AWS::CodeBuild::Project",
	"AWS::DynamoDB::Table",
	"AWS::EC2::CustomerGateway",
	"AWS::EC2::Instance",
	"AWS::EC2::InternetGateway",
	"AWS::EC2::NetworkAcl",
	"AWS::EC2::NetworkInterface",
	"AWS::EC2::RouteTable",
	"AWS::EC2::SecurityGroup",
	"AWS::EC2::Subnet",
	"AWS::EC2::Volume",
	"AWS::EC2::VPC",
	"AWS::EC2::VPNConnection",
	"AWS::EC2::VPNGateway",
	"AWS::ElasticLoadBalancing::LoadBalancer",
	"AWS::ElasticLoadBalancingV2::LoadBalancer",
	"AWS::RDS::DBInstance",
	"AWS::RDS::DBSecurityGroup",
	"AWS::RDS::DBSnapshot",
	"AWS::RDS::DBSubnetGroup",
	"AWS::RDS::EventSubscription",
	"AWS::Redshift::Cluster",
	"AWS::Redshift::ClusterParameterGroup",
	"AWS::Redshift::ClusterSecurityGroup",
	"AWS::Redshift::ClusterSnapshot",
	"AWS::Redshift::ClusterSubnetGroup",
	"AWS::S3::Bucket",
}

// requiredTags is how many key/value parameter pairs REQUIRED_TAGS has.
const requiredTags = 6

// requiredTagsParams are tag1Key, tag1Value … tag6Key, tag6Value; only tag1Key is required.
func requiredTagsParams() []Param {
	ps := make([]Param, 0, 2*requiredTags)
	for i := 1; i <= requiredTags; i++ {
		key := Param{Name: tagKey(i), Required: i == 1, Description: "Key of a required tag (case-sensitive)."}
		if i == 1 {
			key.Default = "CostCenter"
		}
		ps = append(ps, key, Param{Name: tagValue(i), Description: "Comma-separated allowed values of the tag (case-sensitive)."})
	}
	return ps
}

// tagKey and tagValue name the i-th parameter pair of REQUIRED_TAGS.
func tagKey(i int) string   { return fmt.Sprintf("tag%dKey", i) }
func tagValue(i int) string { return fmt.Sprintf("tag%dValue", i) }

// checkRequiredTags (REQUIRED_TAGS): the item must carry every tagNKey given, with one of the
// tagNValue values when those are given. Keys are matched exactly as given; values against the
// trimmed entries of the list.
func checkRequiredTags(_ Env, it *Item, _ value, p Params) verdict {
	var problems []string
	for i := 1; i <= requiredTags; i++ {
		key := p[tagKey(i)]
		if key == "" {
			continue
		}
		got, ok := it.Tags[key]
		allowed := p.list(tagValue(i))
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("tag %q is missing", key))
		case len(allowed) > 0 && !slices.Contains(allowed, got):
			problems = append(problems, fmt.Sprintf("tag %q has value %q, not one of %s", key, got, strings.Join(allowed, ",")))
		}
	}
	if len(problems) > 0 {
		return nonCompliant("Required tags: %s.", strings.Join(problems, "; "))
	}
	return compliant()
}
