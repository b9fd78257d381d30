package iam

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Entity types of attachment records.
const (
	entityRole = "role"
	entityUser = "user"
)

// attachment is the body of a KindAttachment record: one managed policy attached to one role
// or user. The records give AttachmentCount, ListEntitiesForPolicy and DeletePolicy's conflict
// check without scanning every role and user.
type attachment struct {
	Type string `json:"type"`
	Name string `json:"name"`
	ID   string `json:"id"`
}

func attachmentID(policyARN, entityType, name string) string {
	return policyARN + "|" + entityType + "/" + nameID(name)
}

// attachTx attaches policyARN to an entity whose attached list is *list, recording the
// attachment. Attaching an attached policy again is a no-op, as in AWS.
func attachTx(tx store.Tx, account, entityType, entityName string, list *[]string, policyARN string) error {
	return attachWithID(tx, account, entityType, entityName, "", list, policyARN)
}

func attachWithID(tx store.Tx, account, entityType, entityName, entityID string, list *[]string, policyARN string) error {
	if slices.Contains(*list, policyARN) {
		return nil
	}
	if _, err := managedPolicyTx(tx, account, policyARN); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return iamapi.ErrNoSuchEntity("Policy %s does not exist or is not attachable.", policyARN)
		}
		return err
	}
	if len(*list) >= 20 {
		quota := "PoliciesPerRole"
		if entityType == entityUser {
			quota = "PoliciesPerUser"
		}
		return iamapi.ErrLimitExceeded("Cannot exceed quota for %s: 20", quota)
	}
	*list = append(*list, policyARN)
	b, _ := json.Marshal(attachment{Type: entityType, Name: entityName, ID: entityID})
	return tx.Put(KindAttachment, account, attachmentID(policyARN, entityType, entityName), b)
}

// detachTx removes policyARN from *list; NoSuchEntity if it is not attached.
func detachTx(tx store.Tx, account, entityType, entityName string, list *[]string, policyARN string) error {
	i := slices.Index(*list, policyARN)
	if i < 0 {
		return iamapi.ErrNoSuchEntity("Policy %s was not found.", policyARN)
	}
	*list = slices.Delete(*list, i, i+1)
	_, err := tx.Delete(KindAttachment, account, attachmentID(policyARN, entityType, entityName))
	return err
}

// attachmentsTx lists the entities of account to which policyARN is attached.
func attachmentsTx(tx store.Tx, account, policyARN string) ([]attachment, error) {
	recs, err := tx.ListPrefix(KindAttachment, account, policyARN+"|", "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]attachment, 0, len(recs))
	for _, r := range recs {
		var a attachment
		if len(r.Body) > 0 {
			if err := json.Unmarshal(r.Body, &a); err != nil {
				return nil, err
			}
		}
		if a.Type == "" { // body-less record: recover type and name from the id
			t, n, _ := strings.Cut(strings.TrimPrefix(r.ID, policyARN+"|"), "/")
			a.Type, a.Name = t, n
		}
		out = append(out, a)
	}
	return out, nil
}

// managedPolicyView is what attaching and evaluating need from a managed policy, AWS or
// customer.
type managedPolicyView struct {
	ARN, Name, Path, Document string
}

// managedPolicyTx resolves a managed policy ARN visible in account (an AWS managed policy, or
// one of account's customer managed policies) to its default version; store.ErrNotFound when
// there is none.
func managedPolicyTx(tx store.Tx, account, policyARN string) (*managedPolicyView, error) {
	if p, ok := awsPolicies[policyARN]; ok {
		return &managedPolicyView{ARN: policyARN, Name: p.Name, Path: p.Path, Document: p.Document}, nil
	}
	acct, _, name, ok := parsePolicyARN(policyARN)
	if !ok || (account != "" && acct != account) {
		return nil, store.ErrNotFound
	}
	p, err := getCustomerPolicyTx(tx, acct, name)
	if err != nil {
		return nil, err
	}
	if p.ARN != policyARN {
		return nil, store.ErrNotFound
	}
	return &managedPolicyView{ARN: p.ARN, Name: p.Name, Path: p.Path, Document: p.defaultDocument()}, nil
}

// policyDocumentTx returns the default version's document of any managed policy.
func policyDocumentTx(tx store.Tx, policyARN string) (string, error) {
	p, err := managedPolicyTx(tx, "", policyARN)
	if err != nil {
		return "", err
	}
	return p.Document, nil
}

// parsePolicyARN splits arn:aws:iam::<account>:policy<path><name> (account "aws" for AWS
// managed policies).
func parsePolicyARN(s string) (account, path, name string, ok bool) {
	rest, found := strings.CutPrefix(s, "arn:aws:iam::")
	if !found {
		return "", "", "", false
	}
	account, res, found := strings.Cut(rest, ":")
	if !found {
		return "", "", "", false
	}
	res, found = strings.CutPrefix(res, "policy/")
	if !found {
		return "", "", "", false
	}
	i := strings.LastIndex(res, "/")
	path, name = "/"+res[:i+1], res[i+1:]
	if name == "" {
		return "", "", "", false
	}
	return account, path, name, true
}
