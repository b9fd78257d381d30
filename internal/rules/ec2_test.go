package rules

import "testing"

// volume is an EC2 volume item with the given configuration.
func volume(cfg string) Item { return Item{ResourceID: "vol-1", Configuration: raw(cfg)} }

// Volume configurations used by the volume tests.
const (
	kmsARN          = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	kmsID           = "1234abcd-12ab-34cd-56ef-1234567890ab"
	attachedEnc     = `{"volumeId":"vol-1","encrypted":true,"kmsKeyId":"` + kmsARN + `","state":"in-use","attachments":[{"instanceId":"i-1","device":"/dev/xvda","state":"attached","deleteOnTermination":true}]}`
	attachedPlain   = `{"volumeId":"vol-1","encrypted":false,"state":{"value":"in-use"},"attachments":[{"instanceId":"i-1","deleteOnTermination":false}]}`
	unattached      = `{"volumeId":"vol-1","encrypted":false,"state":"available","attachments":[]}`
	availableListed = `{"volumeId":"vol-1","encrypted":false,"state":{"value":"available"},"attachments":[{"instanceId":"i-1"}]}`
)

// TestEncryptedVolumes: ENCRYPTED_VOLUMES and kmsId.
func TestEncryptedVolumes(t *testing.T) {
	runCases(t, "ENCRYPTED_VOLUMES", []evalCase{
		{name: "encrypted", item: volume(attachedEnc), want: Compliant},
		{name: "not encrypted", item: volume(attachedPlain), want: NonCompliant},
		{name: "unattached", item: volume(unattached), want: NotApplicable},
		{name: "available with stale attachment", item: volume(availableListed), want: NotApplicable},
		{name: "no configuration", item: Item{}, want: NotApplicable},
		{name: "encrypted as string", item: volume(`{"encrypted":"true","attachments":[{"instanceId":"i-1"}]}`), want: NonCompliant},
		{name: "kms key by ARN", item: volume(attachedEnc), params: `{"kmsId":"` + kmsARN + `"}`, want: Compliant},
		{name: "kms key by ID", item: volume(attachedEnc), params: `{"kmsId":"` + kmsID + `"}`, want: Compliant},
		{name: "other kms key", item: volume(attachedEnc), params: `{"kmsId":"0000"}`, want: NonCompliant},
		{name: "kms key required, none recorded", item: volume(`{"encrypted":true,"attachments":[{"instanceId":"i-1"}]}`), params: `{"kmsId":"` + kmsID + `"}`, want: NonCompliant},
		{name: "deleted", item: Item{Status: StatusResourceDeleted}},
	})
}

// TestVolumeInUse: EC2_VOLUME_INUSE_CHECK and deleteOnTermination.
func TestVolumeInUse(t *testing.T) {
	runCases(t, "EC2_VOLUME_INUSE_CHECK", []evalCase{
		{name: "attached", item: volume(attachedPlain), want: Compliant},
		{name: "unattached", item: volume(unattached), want: NonCompliant},
		{name: "no configuration", item: Item{}, want: NonCompliant},
		{name: "deleteOnTermination true matches", item: volume(attachedEnc), params: `{"deleteOnTermination":"true"}`, want: Compliant},
		{name: "deleteOnTermination true differs", item: volume(attachedPlain), params: `{"deleteOnTermination":"true"}`, want: NonCompliant},
		{name: "deleteOnTermination false matches", item: volume(attachedPlain), params: `{"deleteOnTermination":false}`, want: Compliant},
		{name: "deleteOnTermination false differs", item: volume(attachedEnc), params: `{"deleteOnTermination":"false"}`, want: NonCompliant},
		{name: "attachment without flag", item: volume(`{"attachments":[{"instanceId":"i-1"}]}`), params: `{"deleteOnTermination":"false"}`, want: NonCompliant},
		{name: "invalid parameter", item: volume(attachedEnc), params: `{"deleteOnTermination":"True"}`, want: NonCompliant},
		{name: "unattached with parameter", item: volume(unattached), params: `{"deleteOnTermination":"true"}`, want: NonCompliant},
	})
}

// instance is an EC2 instance item with the given state, AMI and extra configuration fields.
func instance(state, extra string) Item {
	return Item{ResourceID: "i-1", Configuration: raw(`{"instanceId":"i-1","instanceType":"t2.micro","imageId":"ami-1","state":{"name":"` + state + `","code":16}` + extra + `}`)}
}

// TestInstanceNoPublicIP: EC2_INSTANCE_NO_PUBLIC_IP.
func TestInstanceNoPublicIP(t *testing.T) {
	runCases(t, "EC2_INSTANCE_NO_PUBLIC_IP", []evalCase{
		{name: "no public IP", item: instance("running", ``), want: Compliant},
		{name: "null public IP", item: instance("running", `,"publicIpAddress":null`), want: Compliant},
		{name: "empty public IP", item: instance("running", `,"publicIpAddress":""`), want: Compliant},
		{name: "public IP", item: instance("running", `,"publicIpAddress":"54.1.2.3"`), want: NonCompliant},
		{name: "stopped with public IP", item: instance("stopped", `,"publicIpAddress":"54.1.2.3"`), want: NonCompliant},
		{name: "terminated", item: instance("terminated", `,"publicIpAddress":"54.1.2.3"`), want: NotApplicable},
		{name: "other type", item: Item{ResourceType: "AWS::EC2::Volume"}},
	})
}

// TestInstanceType: DESIRED_INSTANCE_TYPE and instanceType.
func TestInstanceType(t *testing.T) {
	runCases(t, "DESIRED_INSTANCE_TYPE", []evalCase{
		{name: "listed", item: instance("running", ``), params: `{"instanceType":"t2.micro"}`, want: Compliant},
		{name: "in list", item: instance("running", ``), params: `{"instanceType":"m5.large, t2.micro"}`, want: Compliant},
		{name: "not listed", item: instance("running", ``), params: `{"instanceType":"m5.large"}`, want: NonCompliant},
		{name: "case-sensitive", item: instance("running", ``), params: `{"instanceType":"T2.MICRO"}`, want: NonCompliant},
		{name: "no configuration", item: Item{}, params: `{"instanceType":"t2.micro"}`, want: NonCompliant},
	})
}

// TestApprovedAMI: APPROVED_AMIS_BY_ID and amiIds.
func TestApprovedAMI(t *testing.T) {
	runCases(t, "APPROVED_AMIS_BY_ID", []evalCase{
		{name: "approved", item: instance("running", ``), params: `{"amiIds":"ami-1"}`, want: Compliant},
		{name: "approved in list", item: instance("running", ``), params: `{"amiIds":"ami-0 , ami-1"}`, want: Compliant},
		{name: "not approved", item: instance("running", ``), params: `{"amiIds":"ami-2,ami-3"}`, want: NonCompliant},
		{name: "stopped", item: instance("stopped", ``), params: `{"amiIds":"ami-2"}`, want: NotApplicable},
		{name: "pending", item: instance("pending", ``), params: `{"amiIds":"ami-2"}`, want: NotApplicable},
		{name: "state as string", item: Item{Configuration: raw(`{"state":"running","imageId":"ami-9"}`)}, params: `{"amiIds":"ami-1"}`, want: NonCompliant},
		{name: "no configuration", item: Item{}, params: `{"amiIds":"ami-1"}`, want: NotApplicable},
	})
}

// TestEIPAttached: EIP_ATTACHED.
func TestEIPAttached(t *testing.T) {
	eip := func(cfg string) Item { return Item{ResourceID: "eipalloc-1", Configuration: raw(cfg)} }
	runCases(t, "EIP_ATTACHED", []evalCase{
		{name: "association", item: eip(`{"allocationId":"eipalloc-1","associationId":"eipassoc-1"}`), want: Compliant},
		{name: "instance", item: eip(`{"instanceId":"i-1"}`), want: Compliant},
		{name: "network interface", item: eip(`{"networkInterfaceId":"eni-1","associationId":null}`), want: Compliant},
		{name: "unattached", item: eip(`{"allocationId":"eipalloc-1","associationId":null,"instanceId":""}`), want: NonCompliant},
		{name: "no configuration", item: Item{}, want: NonCompliant},
		{name: "deleted", item: Item{Status: StatusResourceDeleted}},
	})
}
