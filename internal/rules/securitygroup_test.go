package rules

import "testing"

// sg is a security group item with the given ipPermissions (a JSON array).
func sg(perms string) Item {
	return Item{ResourceID: "sg-1", Configuration: raw(`{"groupId":"sg-1","groupName":"web","ipPermissions":` + perms + `,"ipPermissionsEgress":[]}`)}
}

// Ingress permissions used by the security group tests.
const (
	sshWorld     = `[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}],"ipRanges":["0.0.0.0/0"],"ipv6Ranges":[]}]`
	sshPrivate   = `[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipv4Ranges":[{"cidrIp":"10.0.0.0/8"}]}]`
	sshIPv6      = `[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipv6Ranges":[{"cidrIpv6":"::/0"}]}]`
	rangeWorld   = `[{"ipProtocol":"6","fromPort":0,"toPort":1024,"ipRanges":["0.0.0.0/0"]}]`
	allWorld     = `[{"ipProtocol":"-1","ipRanges":[{"cidrIp":"0.0.0.0/0"}]}]`
	udpWorld     = `[{"ipProtocol":"udp","fromPort":22,"toPort":22,"ipRanges":["0.0.0.0/0"]}]`
	icmpWorld    = `[{"ipProtocol":"icmp","fromPort":-1,"toPort":-1,"ipRanges":["0.0.0.0/0"]}]`
	httpsWorld   = `[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}]}]`
	tcpNoPorts   = `[{"ipProtocol":"tcp","ipRanges":["0.0.0.0/0"]}]`
	portsAsText  = `[{"ipProtocol":"tcp","fromPort":"20","toPort":"23","ipRanges":["0.0.0.0/0"]}]`
	reversedPort = `[{"ipProtocol":"tcp","fromPort":23,"toPort":20,"ipRanges":["0.0.0.0/0"]}]`
)

// TestIncomingSSH: INCOMING_SSH_DISABLED.
func TestIncomingSSH(t *testing.T) {
	runCases(t, "INCOMING_SSH_DISABLED", []evalCase{
		{name: "ssh from world", item: sg(sshWorld), want: NonCompliant},
		{name: "range covering 22", item: sg(rangeWorld), want: NonCompliant},
		{name: "all traffic", item: sg(allWorld), want: NonCompliant},
		{name: "ports as text", item: sg(portsAsText), want: NonCompliant},
		{name: "ssh from private range", item: sg(sshPrivate), want: Compliant},
		{name: "ssh from IPv6 world", item: sg(sshIPv6), want: Compliant},
		{name: "udp 22", item: sg(udpWorld), want: Compliant},
		{name: "https only", item: sg(httpsWorld), want: Compliant},
		{name: "no rules", item: sg(`[]`), want: Compliant},
		{name: "tcp without ports opens nothing", item: sg(tcpNoPorts), want: Compliant},
		{name: "reversed range opens nothing", item: sg(reversedPort), want: Compliant},
		{name: "malformed configuration", item: Item{Configuration: raw(`{"ipPermissions":"everything"}`)}, want: Compliant},
		{name: "deleted", item: Item{Status: StatusResourceDeleted}},
	})
}

// TestRestrictedPorts: RESTRICTED_INCOMING_TRAFFIC with default and given blocked ports.
func TestRestrictedPorts(t *testing.T) {
	port := func(p string) string {
		return `[{"ipProtocol":"tcp","fromPort":` + p + `,"toPort":` + p + `,"ipRanges":["0.0.0.0/0"]}]`
	}
	runCases(t, "RESTRICTED_INCOMING_TRAFFIC", []evalCase{
		{name: "default 3389", item: sg(port("3389")), want: NonCompliant},
		{name: "default 20", item: sg(port("20")), want: NonCompliant},
		{name: "default 4333", item: sg(port("4333")), want: NonCompliant},
		{name: "range covering 21", item: sg(rangeWorld), want: NonCompliant},
		{name: "all traffic", item: sg(allWorld), want: NonCompliant},
		{name: "https", item: sg(httpsWorld), want: Compliant},
		{name: "ssh not blocked by default", item: sg(sshWorld), want: Compliant},
		{name: "ssh blocked by blockedPort1", item: sg(sshWorld), params: `{"blockedPort1":22}`, want: NonCompliant},
		{name: "3389 unblocked by blockedPort3", item: sg(port("3389")), params: `{"blockedPort3":"9999"}`, want: Compliant},
		{name: "blockedPort5 replaced", item: sg(port("4333")), params: `{"blockedPort5":"5432"}`, want: Compliant},
		{name: "blockedPort5 given", item: sg(port("5432")), params: `{"blockedPort5":"5432"}`, want: NonCompliant},
		{name: "blockedPorts list", item: sg(port("8080")), params: `{"blockedPorts":"22, 8000-8100"}`, want: NonCompliant},
		{name: "blockedPorts keeps defaults", item: sg(port("3306")), params: `{"blockedPorts":"22"}`, want: NonCompliant},
		{name: "malformed blocked port blocks nothing", item: sg(port("3389")), params: `{"blockedPort3":"rdp"}`, want: Compliant},
		{name: "udp on blocked port", item: sg(`[{"ipProtocol":"udp","fromPort":3389,"toPort":3389,"ipRanges":["0.0.0.0/0"]}]`), want: Compliant},
		{name: "private source", item: sg(`[{"ipProtocol":"tcp","fromPort":3389,"toPort":3389,"ipRanges":["192.168.0.0/16"]}]`), want: Compliant},
		{name: "not recorded", item: Item{Status: StatusResourceNotRecorded}},
	})
}

// TestDefaultSecurityGroup: VPC_DEFAULT_SECURITY_GROUP_CLOSED.
func TestDefaultSecurityGroup(t *testing.T) {
	group := func(name, in, out string) Item {
		return Item{Configuration: raw(`{"groupName":"` + name + `","ipPermissions":` + in + `,"ipPermissionsEgress":` + out + `}`)}
	}
	const anyRule = `[{"ipProtocol":"-1","userIdGroupPairs":[{"groupId":"sg-1"}]}]`
	runCases(t, "VPC_DEFAULT_SECURITY_GROUP_CLOSED", []evalCase{
		{name: "closed default", item: group("default", `[]`, `[]`), want: Compliant},
		{name: "default without fields", item: Item{Configuration: raw(`{"groupName":"default"}`)}, want: Compliant},
		{name: "default with inbound", item: group("default", anyRule, `[]`), want: NonCompliant},
		{name: "default with outbound", item: group("default", `[]`, anyRule), want: NonCompliant},
		{name: "other group", item: group("web", anyRule, anyRule), want: NotApplicable},
		{name: "no configuration", item: Item{}, want: NotApplicable},
	})
}

// TestAuthorizedPorts: VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS with authorizedTcpPorts and
// authorizedUdpPorts.
func TestAuthorizedPorts(t *testing.T) {
	tcp := func(from, to string) Item {
		return sg(`[{"ipProtocol":"tcp","fromPort":` + from + `,"toPort":` + to + `,"ipRanges":["0.0.0.0/0"]}]`)
	}
	const ports = `{"authorizedTcpPorts":"443, 1020-1025","authorizedUdpPorts":"500"}`
	runCases(t, "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS", []evalCase{
		{name: "authorized port", item: tcp("443", "443"), params: ports, want: Compliant},
		{name: "authorized range", item: tcp("1021", "1024"), params: ports, want: Compliant},
		{name: "range partly outside", item: tcp("1020", "1026"), params: ports, want: NonCompliant},
		{name: "unauthorized port", item: tcp("80", "80"), params: ports, want: NonCompliant},
		{name: "adjacent ranges cover", item: tcp("1", "10"), params: `{"authorizedTcpPorts":"1-5,6-10"}`, want: Compliant},
		{name: "nothing authorized", item: tcp("443", "443"), want: NonCompliant},
		{name: "udp authorized", item: sg(`[{"ipProtocol":"17","fromPort":500,"toPort":500,"ipRanges":["0.0.0.0/0"]}]`), params: ports, want: Compliant},
		{name: "udp port authorized only for tcp", item: sg(`[{"ipProtocol":"udp","fromPort":443,"toPort":443,"ipRanges":["0.0.0.0/0"]}]`), params: ports, want: NonCompliant},
		{name: "all traffic", item: sg(allWorld), params: ports, want: NonCompliant},
		{name: "all traffic, everything authorized", item: sg(allWorld), params: `{"authorizedTcpPorts":"0-65535","authorizedUdpPorts":"0-65535"}`, want: Compliant},
		{name: "icmp not examined", item: sg(icmpWorld), params: ports, want: Compliant},
		{name: "private source", item: sg(sshPrivate), params: ports, want: Compliant},
		{name: "malformed list authorizes nothing", item: tcp("443", "443"), params: `{"authorizedTcpPorts":"https,70000"}`, want: NonCompliant},
	})
}
