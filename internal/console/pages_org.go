package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// orgNode is a root or organizational unit of the tree, with its accounts and children.
type orgNode struct {
	ID, Name, Kind string
	Accounts       []orgtypes.Account
	Children       []*orgNode
}

type orgTreeData struct {
	Org  *orgtypes.Organization
	Root *orgNode
	// NoOrganization is true when the caller's account is in no organization.
	NoOrganization bool
	Creating       []orgtypes.CreateAccountStatus
}

func (c *Console) orgTree(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	org := rc.api.organizations()
	d := &orgTreeData{}
	desc, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		if ae := asAPIError(err); ae != nil && ae.Code == "AWSOrganizationsNotInUseException" {
			d.NoOrganization = true
			c.render(w, r, http.StatusOK, "org_tree.html", c.view(rc, "org", "AWS Organizations", d))
			return nil
		}
		return err
	}
	d.Org = desc.Organization
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return err
	}
	if len(roots.Roots) == 0 {
		return errors.New("the organization has no root")
	}
	root := roots.Roots[0]
	d.Root = &orgNode{ID: str(root.Id), Name: str(root.Name), Kind: "Root"}
	if err := c.fillNode(ctx, org, d.Root, 0); err != nil {
		return err
	}
	st, err := org.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{States: []orgtypes.CreateAccountState{orgtypes.CreateAccountStateInProgress}})
	if err != nil {
		return err
	}
	d.Creating = st.CreateAccountStatuses
	c.render(w, r, http.StatusOK, "org_tree.html", c.view(rc, "org", "AWS Organizations", d))
	return nil
}

// fillNode lists a parent's accounts and organizational units, depth first (OUs nest at most
// five levels deep in AWS).
func (c *Console) fillNode(ctx context.Context, org *organizations.Client, n *orgNode, depth int) error {
	p := organizations.NewListAccountsForParentPaginator(org, &organizations.ListAccountsForParentInput{ParentId: aws.String(n.ID)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		n.Accounts = append(n.Accounts, out.Accounts...)
	}
	sort.Slice(n.Accounts, func(i, j int) bool { return str(n.Accounts[i].Name) < str(n.Accounts[j].Name) })
	if depth > 6 {
		return nil
	}
	q := organizations.NewListOrganizationalUnitsForParentPaginator(org, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(n.ID)})
	for q.HasMorePages() {
		out, err := q.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, ou := range out.OrganizationalUnits {
			child := &orgNode{ID: str(ou.Id), Name: str(ou.Name), Kind: "Organizational unit"}
			if err := c.fillNode(ctx, org, child, depth+1); err != nil {
				return err
			}
			n.Children = append(n.Children, child)
		}
	}
	sort.Slice(n.Children, func(i, j int) bool { return n.Children[i].Name < n.Children[j].Name })
	return nil
}

// orgCreate creates an organization with all features, the caller's account its management
// account.
func (c *Console) orgCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	_, err := rc.api.organizations().CreateOrganization(r.Context(), &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	if err != nil {
		return err
	}
	http.Redirect(w, r, Prefix+"/organizations", http.StatusSeeOther)
	return nil
}

func (c *Console) accountForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c.render(w, r, http.StatusOK, "org_account_new.html", c.view(rc, "org", "Create an AWS account", nil))
	return nil
}

func (c *Console) accountCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	in := &organizations.CreateAccountInput{
		AccountName: aws.String(strings.TrimSpace(r.PostFormValue("name"))),
		Email:       aws.String(strings.TrimSpace(r.PostFormValue("email"))),
	}
	if role := strings.TrimSpace(r.PostFormValue("role")); role != "" {
		in.RoleName = aws.String(role)
	}
	out, err := rc.api.organizations().CreateAccount(r.Context(), in)
	if err != nil {
		return err
	}
	http.Redirect(w, r, Prefix+"/organizations/accounts/status/"+url.PathEscape(str(out.CreateAccountStatus.Id)), http.StatusSeeOther)
	return nil
}

// accountStatus shows a CreateAccount request; while it is in progress the page polls its own
// status fragment.
func (c *Console) accountStatus(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	out, err := rc.api.organizations().DescribeCreateAccountStatus(r.Context(), &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(r.PathValue("id"))})
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "org_account_status.html", c.view(rc, "org", "Account creation status", out.CreateAccountStatus))
	return nil
}

// trustedService is one row of the "Trusted access for AWS services" table.
type trustedService struct {
	Name      string
	Principal string
	Enabled   bool
	Since     string
}

type settingsData struct {
	Org        *orgtypes.Organization
	Services   []trustedService
	Admins     []delegatedAdmin
	Accounts   []orgtypes.Account
	Principals []string
}

type delegatedAdmin struct {
	Account  orgtypes.DelegatedAdministrator
	Services []string
}

func (c *Console) orgSettings(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	org := rc.api.organizations()
	desc, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return err
	}
	d := &settingsData{Org: desc.Organization, Principals: c.principals}
	enabled := map[string]string{}
	p := organizations.NewListAWSServiceAccessForOrganizationPaginator(org, &organizations.ListAWSServiceAccessForOrganizationInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range out.EnabledServicePrincipals {
			enabled[str(s.ServicePrincipal)] = fmtTime(s.DateEnabled)
		}
	}
	for _, name := range c.principals {
		since, ok := enabled[name]
		d.Services = append(d.Services, trustedService{Name: serviceNames[name], Principal: name, Enabled: ok, Since: since})
	}
	da := organizations.NewListDelegatedAdministratorsPaginator(org, &organizations.ListDelegatedAdministratorsInput{})
	for da.HasMorePages() {
		out, err := da.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range out.DelegatedAdministrators {
			svc, err := org.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: a.Id})
			if err != nil {
				return err
			}
			row := delegatedAdmin{Account: a}
			for _, s := range svc.DelegatedServices {
				row.Services = append(row.Services, str(s.ServicePrincipal))
			}
			d.Admins = append(d.Admins, row)
		}
	}
	ap := organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{})
	for ap.HasMorePages() {
		out, err := ap.NextPage(ctx)
		if err != nil {
			return err
		}
		d.Accounts = append(d.Accounts, out.Accounts...)
	}
	v := c.view(rc, "settings", "Organizations settings", d)
	v.Notice = settingsNotice(r.URL.Query())
	c.render(w, r, http.StatusOK, "org_settings.html", v)
	return nil
}

// trustedAccess enables or disables trusted access for one service principal.
func (c *Console) trustedAccess(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	principal := r.PostFormValue("principal")
	org := rc.api.organizations()
	action := r.PostFormValue("action")
	switch action {
	case "enable":
		if _, err := org.EnableAWSServiceAccess(r.Context(), &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(principal)}); err != nil {
			return err
		}
	case "disable":
		if _, err := org.DisableAWSServiceAccess(r.Context(), &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(principal)}); err != nil {
			return err
		}
	default:
		return &apiError{Code: "InvalidInputException", Message: "Choose enable or disable.", Status: http.StatusBadRequest}
	}
	http.Redirect(w, r, Prefix+"/organizations/settings?"+url.Values{"done": {action + "d"}, "principal": {principal}}.Encode(), http.StatusSeeOther)
	return nil
}

// delegatedAdmin registers or deregisters a delegated administrator.
func (c *Console) delegatedAdmin(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	account, principal := r.PostFormValue("account"), r.PostFormValue("principal")
	org := rc.api.organizations()
	action := r.PostFormValue("action")
	switch action {
	case "register":
		if _, err := org.RegisterDelegatedAdministrator(r.Context(), &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(account), ServicePrincipal: aws.String(principal)}); err != nil {
			return err
		}
	case "deregister":
		if _, err := org.DeregisterDelegatedAdministrator(r.Context(), &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(account), ServicePrincipal: aws.String(principal)}); err != nil {
			return err
		}
	default:
		return &apiError{Code: "InvalidInputException", Message: "Choose register or deregister.", Status: http.StatusBadRequest}
	}
	http.Redirect(w, r, Prefix+"/organizations/settings?"+url.Values{"done": {action + "ed"}, "principal": {principal}, "account": {account}}.Encode(), http.StatusSeeOther)
	return nil
}

// settingsNotice says what the last action on the Settings page did. It is built from fixed
// sentences, so a crafted link cannot put arbitrary text on the page.
func settingsNotice(q url.Values) string {
	p, a := q.Get("principal"), q.Get("account")
	if name := serviceNames[p]; name != "" {
		p = name + " (" + p + ")"
	}
	switch q.Get("done") {
	case "enabled":
		return "Trusted access is enabled for " + p + "."
	case "disabled":
		return "Trusted access is disabled for " + p + "."
	case "registered":
		return "Account " + a + " is a delegated administrator for " + p + "."
	case "deregistered":
		return "Account " + a + " is no longer a delegated administrator for " + p + "."
	}
	return ""
}

// serviceNames are the names the Organizations console gives the service principals.
var serviceNames = map[string]string{
	"config.amazonaws.com":                              "AWS Config",
	"config-multiaccountsetup.amazonaws.com":            "AWS Config (organization rules and conformance packs)",
	"access-analyzer.amazonaws.com":                     "IAM Access Analyzer",
	"account.amazonaws.com":                             "AWS Account Management",
	"auditmanager.amazonaws.com":                        "AWS Audit Manager",
	"aws-artifact-account-sync.amazonaws.com":           "AWS Artifact",
	"backup.amazonaws.com":                              "AWS Backup",
	"cloudtrail.amazonaws.com":                          "AWS CloudTrail",
	"compute-optimizer.amazonaws.com":                   "AWS Compute Optimizer",
	"detective.amazonaws.com":                           "Amazon Detective",
	"ds.amazonaws.com":                                  "AWS Directory Service",
	"fms.amazonaws.com":                                 "AWS Firewall Manager",
	"guardduty.amazonaws.com":                           "Amazon GuardDuty",
	"health.amazonaws.com":                              "AWS Health",
	"iam.amazonaws.com":                                 "AWS Identity and Access Management",
	"inspector2.amazonaws.com":                          "Amazon Inspector",
	"ipam.amazonaws.com":                                "Amazon VPC IP Address Manager",
	"license-manager.amazonaws.com":                     "AWS License Manager",
	"macie.amazonaws.com":                               "Amazon Macie",
	"member.org.stacksets.cloudformation.amazonaws.com": "AWS CloudFormation StackSets",
	"ram.amazonaws.com":                                 "AWS Resource Access Manager",
	"reporting.trustedadvisor.amazonaws.com":            "AWS Trusted Advisor",
	"securityhub.amazonaws.com":                         "AWS Security Hub",
	"securitylake.amazonaws.com":                        "Amazon Security Lake",
	"servicecatalog.amazonaws.com":                      "AWS Service Catalog",
	"servicequotas.amazonaws.com":                       "Service Quotas",
	"ssm.amazonaws.com":                                 "AWS Systems Manager",
	"sso.amazonaws.com":                                 "AWS IAM Identity Center",
	"storage-lens.s3.amazonaws.com":                     "Amazon S3 Storage Lens",
	"tagpolicies.tag.amazonaws.com":                     "Tag policies",
}
