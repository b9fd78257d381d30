package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// model is the part of a botocore service-2.json file that the generator reads.
type model struct {
	Metadata struct {
		APIVersion      string `json:"apiVersion"`
		EndpointPrefix  string `json:"endpointPrefix"`
		SigningName     string `json:"signingName"`
		Protocol        string `json:"protocol"`
		ServiceFullName string `json:"serviceFullName"`
		TargetPrefix    string `json:"targetPrefix"`
		XMLNamespace    string `json:"xmlNamespace"`
	} `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shape     `json:"shapes"`
}

type operation struct {
	Name   string `json:"name"`
	Input  *ref   `json:"input"`
	Output *ref   `json:"output"`
	Errors []ref  `json:"errors"`
}

// ref is a reference to a shape: an operation's input, output or error, a list member, a map
// key or value, or a structure member.
type ref struct {
	Shape         string `json:"shape"`
	ResultWrapper string `json:"resultWrapper"`
	LocationName  string `json:"locationName"`
	Flattened     bool   `json:"flattened"`
}

type shape struct {
	Type          string   `json:"type"`
	Members       members  `json:"members"`
	Required      []string `json:"required"`
	Member        *ref     `json:"member"`
	Key           *ref     `json:"key"`
	Value         *ref     `json:"value"`
	Flattened     bool     `json:"flattened"`
	Min           *float64 `json:"min"`
	Max           *float64 `json:"max"`
	Pattern       string   `json:"pattern"`
	Enum          []string `json:"enum"`
	Exception     bool     `json:"exception"`
	Fault         bool     `json:"fault"`
	Documentation string   `json:"documentation"`
	Error         *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
		SenderFault    *bool  `json:"senderFault"`
	} `json:"error"`
}

// member is one structure member; members keep the order of the model file.
type member struct {
	Name string
	ref
}

type members []member

// UnmarshalJSON decodes a JSON object of members, keeping the order of its keys.
func (ms *members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("members: want an object")
	}
	*ms = nil
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		m := member{Name: t.(string)}
		if err := dec.Decode(&m.ref); err != nil {
			return fmt.Errorf("member %s: %w", m.Name, err)
		}
		*ms = append(*ms, m)
	}
	_, err := dec.Token()
	return err
}

func loadModel(path string) (*model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := new(model)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// check verifies the references and the assumptions the generator makes.
func (m *model) check() error {
	has := func(r *ref, what string) error {
		if r == nil || r.Shape == "" {
			return fmt.Errorf("%s: missing shape reference", what)
		}
		if m.Shapes[r.Shape] == nil {
			return fmt.Errorf("%s: unknown shape %q", what, r.Shape)
		}
		return nil
	}
	for _, name := range sortedKeys(m.Shapes) {
		s := m.Shapes[name]
		switch s.Type {
		case "structure":
			for _, mem := range s.Members {
				if err := has(&mem.ref, name+"."+mem.Name); err != nil {
					return err
				}
				if t := m.Shapes[mem.Shape]; t.Exception {
					return fmt.Errorf("%s.%s: members of exception type are not supported", name, mem.Name)
				}
			}
		case "list":
			if err := has(s.Member, name+" member"); err != nil {
				return err
			}
		case "map":
			if err := has(s.Key, name+" key"); err != nil {
				return err
			}
			if err := has(s.Value, name+" value"); err != nil {
				return err
			}
			if m.Shapes[s.Key.Shape].Type != "string" {
				return fmt.Errorf("%s: map keys must be strings", name)
			}
		case "string", "integer", "long", "float", "double", "boolean", "timestamp", "blob":
		default:
			return fmt.Errorf("%s: unsupported shape type %q", name, s.Type)
		}
		for _, t := range []*ref{s.Member, s.Value} {
			if t != nil && m.Shapes[t.Shape] != nil && m.Shapes[t.Shape].Exception {
				return fmt.Errorf("%s: containers of exception type are not supported", name)
			}
		}
	}
	for _, name := range sortedKeys(m.Operations) {
		op := m.Operations[name]
		if op.Name != name {
			return fmt.Errorf("operation %s: name %q differs from its key", name, op.Name)
		}
		for _, r := range []*ref{op.Input, op.Output} {
			if r == nil {
				continue
			}
			if err := has(r, "operation "+name); err != nil {
				return err
			}
			if s := m.Shapes[r.Shape]; s.Type != "structure" || s.Exception {
				return fmt.Errorf("operation %s: %s is not a plain structure", name, r.Shape)
			}
		}
		for _, e := range op.Errors {
			if err := has(&e, "operation "+name+" error"); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
