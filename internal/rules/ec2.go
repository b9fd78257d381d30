package rules

import (
	"slices"
	"strings"
)

// state reads a resource's state, recorded as a plain string or as an object holding it in
// field (volumes: {"value": …}, instances: {"name": …, "code": …}).
func state(c value, field string) string {
	if s := c.get("state").str(); s != "" {
		return s
	}
	return c.get("state", field).str()
}

// attached reports whether a volume is attached: it has attachments and is not "available".
func attached(c value) bool {
	return c.get("attachments").nonEmptyList() && state(c, "value") != "available"
}

// checkEncryptedVolume (ENCRYPTED_VOLUMES): an attached volume must be encrypted, with the kmsId
// key when given; unattached volumes are not applicable.
func checkEncryptedVolume(_ Env, _ *Item, c value, p Params) verdict {
	if !attached(c) {
		return notApplicable("The volume is not attached to an instance.")
	}
	return checkEncryption(c, "encrypted", p, "kmsId", "attached volume")
}

// checkVolumeInUse (EC2_VOLUME_INUSE_CHECK): the volume must be attached and, when
// deleteOnTermination is given, every attachment must have that DeleteOnTermination. A parameter
// other than "true" or "false" makes every volume non-compliant, as AWS documents; an attachment
// without a boolean deleteOnTermination does not match either value.
func checkVolumeInUse(_ Env, _ *Item, c value, p Params) verdict {
	attachments := c.get("attachments").list()
	if len(attachments) == 0 {
		return nonCompliant("The volume is not attached to an instance.")
	}
	want, given := p["deleteOnTermination"]
	if !given {
		return compliant()
	}
	if want != "true" && want != "false" {
		return nonCompliant("Parameter deleteOnTermination must be true or false, not %q.", want)
	}
	for _, a := range attachments {
		if got, ok := a.get("deleteOnTermination").boolean(); !ok || got != (want == "true") {
			return nonCompliant("An attachment of the volume does not have deleteOnTermination %s.", want)
		}
	}
	return compliant()
}

// checkInstanceNoPublicIP (EC2_INSTANCE_NO_PUBLIC_IP): an instance must have no public IPv4
// address (publicIpAddress absent, null or ""); terminated instances are not applicable (AWS does
// not document this; it is orgconfig's choice).
func checkInstanceNoPublicIP(_ Env, _ *Item, c value, _ Params) verdict {
	if state(c, "name") == "terminated" {
		return notApplicable("The instance is terminated.")
	}
	if ip := c.get("publicIpAddress").str(); ip != "" {
		return nonCompliant("The instance has public IP address %s.", ip)
	}
	return compliant()
}

// checkInstanceType (DESIRED_INSTANCE_TYPE): the instance type must be one of instanceType.
func checkInstanceType(_ Env, _ *Item, c value, p Params) verdict {
	allowed := p.list("instanceType")
	if got := c.get("instanceType").str(); !slices.Contains(allowed, got) {
		return nonCompliant("Instance type %s is not one of %s.", orNone(got), strings.Join(allowed, ","))
	}
	return compliant()
}

// checkApprovedAMI (APPROVED_AMIS_BY_ID): a running instance must use one of amiIds; instances in
// any other state are not applicable (AWS does not document this; it is orgconfig's choice).
func checkApprovedAMI(_ Env, _ *Item, c value, p Params) verdict {
	if s := state(c, "name"); s != "running" {
		return notApplicable("The instance is %s, not running.", orNone(s))
	}
	if ami := c.get("imageId").str(); !slices.Contains(p.list("amiIds"), ami) {
		return nonCompliant("AMI %s is not approved.", orNone(ami))
	}
	return compliant()
}

// checkEIPAttached (EIP_ATTACHED): the Elastic IP must be associated: it has an associationId,
// instanceId or networkInterfaceId.
func checkEIPAttached(_ Env, _ *Item, c value, _ Params) verdict {
	for _, field := range []string{"associationId", "instanceId", "networkInterfaceId"} {
		if c.get(field).str() != "" {
			return compliant()
		}
	}
	return nonCompliant("The Elastic IP address is not associated with an instance or network interface.")
}
