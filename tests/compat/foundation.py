#!/usr/bin/env python3
"""boto3 version of orgconfig's foundation checks (tests/e2e/foundation_test.go), and a tour
of Config rules through boto3's shapes.

Run by tests/compat (TestBoto3Foundation) against a server the Go test started:

    AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
        python3 foundation.py --endpoint http://127.0.0.1:PORT --account-id 111111111111

Credentials come from the environment (the bootstrap account's root user). Every check runs;
on success the script prints {"ok": true, "checks": [...]} on stdout and exits 0; otherwise it
prints one line per failed check on stderr and exits 1.
"""

import argparse
import datetime
import json
import os
import sys
from unittest import mock

import boto3
import botocore
import botocore.auth
import botocore.compat
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

passed = []
failures = []


def check(name, ok, detail=""):
    if ok:
        passed.append(name)
    else:
        failures.append(f"{name}: {detail}")


class Env:
    def __init__(self, endpoint, akid, secret):
        self.endpoint = endpoint
        self.akid = akid
        self.secret = secret

    def client(self, service, akid=None, secret=None, region="us-east-1", signed=True,
               attempts=1, validate=True):
        """A client that talks only to orgconfig. attempts is the total number of attempts
        (standard retry mode): 1 means no retry."""
        cfg = Config(
            region_name=region,
            retries={"total_max_attempts": attempts, "mode": "standard"},
            parameter_validation=validate,
            connect_timeout=10,
            read_timeout=30,
        )
        if not signed:
            cfg = cfg.merge(Config(signature_version=UNSIGNED))
        # A session of its own, so no profile, config file or credential chain leaks in.
        session = boto3.session.Session(
            aws_access_key_id=akid or self.akid,
            aws_secret_access_key=secret or self.secret,
            region_name=region,
        )
        client = session.client(service, endpoint_url=self.endpoint, config=cfg)
        # Count the HTTP requests the client sends (one per attempt).
        client.sent = 0

        def count(**_):
            client.sent += 1

        client.meta.events.register("before-send", count)
        return client


def expect_error(name, fn, code, status, contains=None, client=None, sent=1):
    """Runs fn and checks that it fails with AWS error code and HTTP status; when client is
    given, also that it sent exactly `sent` requests."""
    try:
        fn()
    except ClientError as e:
        err = e.response.get("Error", {})
        got_status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        msg = err.get("Message", "")
        if err.get("Code") != code:
            check(name, False, f"error code {err.get('Code')!r} ({msg!r}), want {code!r}")
        elif got_status != status:
            check(name, False, f"HTTP status {got_status}, want {status}")
        elif contains and contains not in msg:
            check(name, False, f"message {msg!r} does not contain {contains!r}")
        elif client is not None and client.sent != sent:
            check(name, False, f"client sent {client.sent} requests, want {sent}")
        else:
            check(name, True)
        return e
    except Exception as e:  # noqa: BLE001 - report anything else as a failed check
        check(name, False, f"want ClientError {code}, got {type(e).__name__}: {e}")
        return None
    check(name, False, f"want error {code} ({status}), got success")
    return None


def caller_identity(env, account):
    for region in ("us-east-1", "eu-west-3"):
        name = f"sts.GetCallerIdentity[{region}]"
        try:
            out = env.client("sts", region=region).get_caller_identity()
        except Exception as e:  # noqa: BLE001
            check(name, False, f"{type(e).__name__}: {e}")
            continue
        want_arn = f"arn:aws:iam::{account}:root"
        check(name, out.get("Arn") == want_arn and out.get("Account") == account
              and out.get("UserId") == account,
              f"got Arn={out.get('Arn')!r} Account={out.get('Account')!r} "
              f"UserId={out.get('UserId')!r}, want {want_arn!r}/{account}/{account}")


def twenty_minutes_ago(remove_tzinfo=True):
    return botocore.compat.get_current_datetime(remove_tzinfo) - datetime.timedelta(minutes=20)


def authentication_failures(env):
    calls = {
        "sts": ("GetCallerIdentity", lambda c: c.get_caller_identity(),
                ["SignatureDoesNotMatch", "InvalidClientTokenId", "MissingAuthenticationToken",
                 "SignatureDoesNotMatch"]),
        "config": ("DescribeConfigurationAggregators",
                   lambda c: c.describe_configuration_aggregators(),
                   ["InvalidSignatureException", "UnrecognizedClientException",
                    "MissingAuthenticationTokenException", "InvalidSignatureException"]),
    }
    for service, (op, call, codes) in calls.items():
        # Retries are on (3 attempts, standard mode): an authentication failure is not
        # retryable, so the client must send exactly one request.
        c = env.client(service, secret="not-the-secret", attempts=3)
        expect_error(f"{service}.{op}[wrong secret]", lambda: call(c), codes[0], 403, client=c)

        c = env.client(service, akid="AKIAUNKNOWNKEY000000", attempts=3)
        expect_error(f"{service}.{op}[unknown key]", lambda: call(c), codes[1], 403, client=c)

        c = env.client(service, signed=False, attempts=3)
        expect_error(f"{service}.{op}[unsigned]", lambda: call(c), codes[2], 403, client=c)

        # A request signed 20 minutes ago: botocore's SigV4 signer takes its time from
        # botocore.auth.get_current_datetime.
        c = env.client(service, attempts=3)
        with mock.patch.object(botocore.auth, "get_current_datetime", twenty_minutes_ago):
            expect_error(f"{service}.{op}[signed 20 minutes ago]", lambda: call(c), codes[3], 403,
                         contains="Signature expired", client=c)


def unimplemented(env):
    # Default-like retries (3 attempts): the answer must be a 4xx that boto3 does not retry.
    c = env.client("sts", attempts=3)
    expect_error("sts.GetFederationToken[unimplemented]",
                 lambda: c.get_federation_token(Name="deployer"),
                 "NotImplemented", 400, contains="GetFederationToken",
                 client=c)
    c = env.client("iam", attempts=3)
    expect_error("iam.ListSAMLProviders[unimplemented]", lambda: c.list_saml_providers(),
                 "NotImplemented", 400, contains="ListSAMLProviders", client=c)


def model_validation(env):
    # botocore does not check patterns client-side.
    c = env.client("config")
    expect_error("config.DeleteConfigurationAggregator[bad name]",
                 lambda: c.delete_configuration_aggregator(
                     ConfigurationAggregatorName="bad name with spaces"),
                 "ValidationException", 400, contains="configurationAggregatorName")

    # botocore checks min lengths client-side: turn that off so the server sees the input.
    c = env.client("organizations", validate=False)
    e = expect_error("organizations.CreateAccount[short email]",
                     lambda: c.create_account(AccountName="x", Email="a@b"),
                     "InvalidInputException", 400)
    if e is not None:
        reason = e.response.get("Reason") or e.response.get("Error", {}).get("Reason")
        check("organizations.CreateAccount[Reason]", reason == "MIN_LENGTH_EXCEEDED",
              f"Reason = {reason!r}, want MIN_LENGTH_EXCEEDED (response {e.response!r})")

    c = env.client("iam")
    expect_error("iam.GetRole[bad name]", lambda: c.get_role(RoleName="has space"),
                 "ValidationError", 400)


def config_rules(env, account):
    """Config rules through boto3: botocore parses every answer against the model."""
    c = env.client("config")
    try:
        c.put_configuration_recorder(ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
            "recordingGroup": {"allSupported": True}})
        c.put_config_rule(ConfigRule={
            "ConfigRuleName": "required-tags",
            "Source": {"Owner": "AWS", "SourceIdentifier": "REQUIRED_TAGS"},
            "InputParameters": json.dumps({"tag1Key": "team"}),
            "Scope": {"ComplianceResourceTypes": ["AWS::EC2::Volume"]}})
        rules = c.describe_config_rules(ConfigRuleNames=["required-tags"])["ConfigRules"]
        check("config.DescribeConfigRules", len(rules) == 1 and rules[0]["ConfigRuleId"].startswith("config-rule-")
              and rules[0]["ConfigRuleState"] == "ACTIVE", repr(rules))
        st = c.describe_config_rule_evaluation_status(ConfigRuleNames=["required-tags"])["ConfigRulesEvaluationStatus"]
        check("config.DescribeConfigRuleEvaluationStatus", len(st) == 1 and "FirstActivatedTime" in st[0]
              and isinstance(st[0]["FirstActivatedTime"], datetime.datetime), repr(st))
        comp = c.describe_compliance_by_config_rule(ConfigRuleNames=["required-tags"])["ComplianceByConfigRules"]
        check("config.DescribeComplianceByConfigRule", len(comp) == 1
              and comp[0]["Compliance"]["ComplianceType"] in ("INSUFFICIENT_DATA", "COMPLIANT", "NON_COMPLIANT"), repr(comp))
        summary = c.get_compliance_summary_by_config_rule()["ComplianceSummary"]
        check("config.GetComplianceSummaryByConfigRule", "CompliantResourceCount" in summary, repr(summary))
        out = c.put_evaluations(ResultToken="test", TestMode=True, Evaluations=[{
            "ComplianceResourceType": "AWS::EC2::Volume", "ComplianceResourceId": "vol-1",
            "ComplianceType": "COMPLIANT", "OrderingTimestamp": datetime.datetime.now(datetime.timezone.utc)}])
        check("config.PutEvaluations[TestMode]", out.get("FailedEvaluations") == [], repr(out))
    except Exception as e:  # noqa: BLE001
        check("config.rules", False, f"{type(e).__name__}: {e}")
        return
    expect_error("config.PutConfigRule[unknown identifier]",
                 lambda: c.put_config_rule(ConfigRule={"ConfigRuleName": "x",
                                                       "Source": {"Owner": "AWS", "SourceIdentifier": "NOPE"}}),
                 "InvalidParameterValueException", 400, contains="NOPE")
    expect_error("config.PutEvaluations[forged token]",
                 lambda: c.put_evaluations(ResultToken="forged", Evaluations=[{
                     "ComplianceResourceType": "AWS::EC2::Volume", "ComplianceResourceId": "vol-1",
                     "ComplianceType": "COMPLIANT", "OrderingTimestamp": datetime.datetime.now(datetime.timezone.utc)}]),
                 "InvalidResultTokenException", 400)
    c.delete_config_rule(ConfigRuleName="required-tags")
    check("config.DeleteConfigRule", True)


def aggregators(env, account):
    """Aggregators through boto3: an account aggregator over the caller's own account."""
    c = env.client("config")
    try:
        out = c.put_configuration_aggregator(
            ConfigurationAggregatorName="own",
            AccountAggregationSources=[{"AccountIds": [account], "AwsRegions": ["us-east-1"]}])
        agg = out["ConfigurationAggregator"]
        check("config.PutConfigurationAggregator", agg["ConfigurationAggregatorArn"].startswith(
            f"arn:aws:config:us-east-1:{account}:config-aggregator/config-aggregator-")
              and isinstance(agg["CreationTime"], datetime.datetime), repr(agg))
        st = c.describe_configuration_aggregator_sources_status(ConfigurationAggregatorName="own")
        rows = st["AggregatedSourceStatusList"]
        check("config.DescribeConfigurationAggregatorSourcesStatus", len(rows) == 1 and rows[0]["SourceType"] == "ACCOUNT"
              and isinstance(rows[0]["LastUpdateTime"], datetime.datetime), repr(rows))
        counts = c.get_aggregate_discovered_resource_counts(ConfigurationAggregatorName="own", GroupByKey="ACCOUNT_ID")
        check("config.GetAggregateDiscoveredResourceCounts", "TotalDiscoveredResources" in counts, repr(counts))
        pages = list(c.get_paginator("list_aggregate_discovered_resources").paginate(
            ConfigurationAggregatorName="own", ResourceType="AWS::EC2::Instance"))
        check("config.ListAggregateDiscoveredResources[paginator]", len(pages) >= 1, repr(pages))
        c.delete_configuration_aggregator(ConfigurationAggregatorName="own")
        check("config.DeleteConfigurationAggregator", True)
    except Exception as e:  # noqa: BLE001
        check("config.aggregators", False, f"{type(e).__name__}: {e}")
        return
    expect_error("config.DescribeConfigurationAggregators[unknown]",
                 lambda: c.describe_configuration_aggregators(ConfigurationAggregatorNames=["nope"]),
                 "NoSuchConfigurationAggregatorException", 400)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--endpoint", required=True, help="orgconfig's URL, http://127.0.0.1:PORT")
    p.add_argument("--account-id", required=True, help="the bootstrap account's ID")
    args = p.parse_args()
    akid = os.environ.get("AWS_ACCESS_KEY_ID")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not akid or not secret:
        sys.exit("foundation.py: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set")
    env = Env(args.endpoint, akid, secret)

    caller_identity(env, args.account_id)
    authentication_failures(env)
    unimplemented(env)
    model_validation(env)
    config_rules(env, args.account_id)
    aggregators(env, args.account_id)

    if failures:
        for f in failures:
            print("FAIL " + f, file=sys.stderr)
        print(f"{len(failures)} of {len(failures) + len(passed)} checks failed "
              f"(boto3 {boto3.__version__}, botocore {botocore.__version__})", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"ok": True, "boto3": boto3.__version__, "botocore": botocore.__version__,
                      "checks": passed}))


if __name__ == "__main__":
    main()
