package terraform

// internal/service/configservice/organization_custom_rule_test.go is not ported: every one of
// its configurations creates an AWS Lambda function (aws_lambda_function, with
// aws_lambda_permission) for the rule to invoke, and orgconfig does not serve Lambda.

func init() {
	const lambda = "needs AWS Lambda (aws_lambda_function, aws_lambda_permission), which orgconfig does not serve"
	for _, name := range []string{
		"basic",
		"disappears",
		"errorHandling", // a function without a recorder, expecting InsufficientPermission
		"Description",
		"ExcludedAccounts",
		"InputParameters",
		"LambdaFunctionArn", // two functions
		"MaximumExecutionFrequency",
		"ResourceIdScope",
		"ResourceTypesScope",
		"TagKeyScope",
		"TagValueScope",
		"TriggerTypes",
	} {
		notPorted = append(notPorted, NotPorted{Name: "OrganizationCustomRule/" + name, Reason: lambda})
	}
}
