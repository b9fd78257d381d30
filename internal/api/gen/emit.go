package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

const awsprotoPath = "github.com/orgconfig/orgconfig/internal/awsproto"

// pkg is one generated package: a model and the Go names chosen for its shapes.
type pkg struct {
	name string
	m    *model

	typeName   map[string]string // structure and enum shape → Go type
	errName    map[string]string // exception shape → error constructor
	valuesName map[string]string // enum shape → XValues function
	consts     map[string][]enumConst
	methodName map[string]string // operation → API method
	pattern    map[string]string // shape → translated pattern
	skipped    []string          // patterns that RE2 cannot express, as "Shape: `pattern`"
}

type enumConst struct{ name, value string }

func newPackage(name string, m *model) (*pkg, error) {
	p := &pkg{
		name: name, m: m,
		typeName: map[string]string{}, errName: map[string]string{}, valuesName: map[string]string{},
		consts: map[string][]enumConst{}, methodName: map[string]string{}, pattern: map[string]string{},
	}
	if p.protocol() == "" {
		return nil, fmt.Errorf("unsupported protocol %q", m.Metadata.Protocol)
	}
	if p.serviceName() == "" {
		return nil, fmt.Errorf("no signingName or endpointPrefix in the metadata")
	}
	shapes := sortedKeys(m.Shapes)
	var typed, enums, exceptions []string
	for _, s := range shapes {
		sh := m.Shapes[s]
		switch {
		case sh.Exception:
			exceptions = append(exceptions, s)
		case sh.Type == "structure":
			typed = append(typed, s)
		case sh.Type == "string" && len(sh.Enum) > 0:
			typed = append(typed, s)
			enums = append(enums, s)
		}
	}

	// One scope for every package-level exported name. Shapes whose name is already a valid
	// exported identifier are named first so that they keep it whenever possible.
	n := namer{}
	for _, id := range []string{"Service", "API", "Unimplemented", "Handlers"} {
		n.take(id)
	}
	for _, exact := range []bool{true, false} {
		for _, s := range typed {
			if id := exported(s); (id == s) == exact {
				p.typeName[s] = n.take(id)
			}
		}
	}
	for _, s := range exceptions {
		p.errName[s] = n.take("Err" + exported(strings.TrimSuffix(s, "Exception")))
	}
	for _, s := range enums {
		p.valuesName[s] = n.take(p.typeName[s] + "Values")
	}
	for _, s := range enums {
		seen := map[string]bool{}
		for _, v := range m.Shapes[s].Enum {
			if !seen[v] {
				seen[v] = true
				p.consts[s] = append(p.consts[s], enumConst{n.take(p.typeName[s] + enumSuffix(v)), v})
			}
		}
	}

	methods := namer{}
	for _, op := range sortedKeys(m.Operations) {
		p.methodName[op] = methods.take(exported(op))
	}

	for _, s := range shapes {
		if pat := m.Shapes[s].Pattern; pat != "" {
			if re, err := translatePattern(pat); err != nil {
				p.skipped = append(p.skipped, fmt.Sprintf("%s: `%s`", s, pat))
			} else {
				p.pattern[s] = re
			}
		}
	}
	return p, nil
}

func (p *pkg) serviceName() string {
	if p.m.Metadata.SigningName != "" {
		return p.m.Metadata.SigningName
	}
	return p.m.Metadata.EndpointPrefix
}

func (p *pkg) protocol() string {
	switch p.m.Metadata.Protocol {
	case "json":
		return "JSON"
	case "query":
		return "Query"
	}
	return ""
}

// file collects the body of one generated file and the imports it needs.
type file struct {
	doc     string
	imports map[string]bool
	body    bytes.Buffer
}

func (f *file) use(path string) { f.imports[path] = true }

func (f *file) p(format string, args ...any) { fmt.Fprintf(&f.body, format+"\n", args...) }

// render writes the package clause, the imports and the body after the header. Paragraphs of
// the doc comment are separated by blank lines in f.doc.
func (f *file) render(b *bytes.Buffer, pkgName string) {
	for i, para := range strings.Split(f.doc, "\n\n") {
		if para == "" {
			continue
		}
		if i > 0 {
			b.WriteString("//\n")
		}
		b.WriteString(comment(para, 100))
	}
	b.WriteString("package " + pkgName + "\n\n")
	if len(f.imports) > 0 {
		b.WriteString("import (\n")
		std := true
		for _, path := range sortedKeys(f.imports) {
			if std && strings.Contains(path, ".") { // standard library first, then a blank line
				std = false
				b.WriteString("\n")
			}
			b.WriteString(strconv.Quote(path) + "\n")
		}
		b.WriteString(")\n\n")
	}
	b.Write(f.body.Bytes())
}

// comment renders text as a // comment wrapped at about width columns.
func comment(text string, width int) string {
	var b strings.Builder
	line := 0
	for _, w := range strings.Fields(text) {
		if line > 0 && line+1+len(w) > width {
			b.WriteString("\n")
			line = 0
		}
		if line == 0 {
			b.WriteString("//")
			line = 2
		}
		b.WriteString(" " + w)
		line += 1 + len(w)
	}
	return b.String() + "\n"
}

// goType is the Go type of a value of shape name: as a structure field when field is true
// (structures and numbers by pointer), as a list element or map key or value otherwise.
func (p *pkg) goType(f *file, name string, field bool) string {
	s := p.m.Shapes[name]
	ptr := func(t string) string {
		if field {
			return "*" + t
		}
		return t
	}
	switch s.Type {
	case "structure":
		return ptr(p.typeName[name])
	case "list":
		return "[]" + p.goType(f, s.Member.Shape, false)
	case "map":
		return "map[" + p.goType(f, s.Key.Shape, false) + "]" + p.goType(f, s.Value.Shape, false)
	case "string":
		if t := p.typeName[name]; t != "" {
			return t
		}
		return "string"
	case "integer":
		return ptr("int32")
	case "long":
		return ptr("int64")
	case "float", "double":
		return ptr("float64")
	case "boolean":
		return ptr("bool")
	case "timestamp":
		f.use(awsprotoPath)
		return "awsproto.Time"
	case "blob":
		return "[]byte"
	}
	panic("unreachable: shape type " + s.Type)
}

// docLine is the one-line doc comment of the Go type of shape name.
func (p *pkg) docLine(name, kind string) string {
	id := p.typeName[name]
	if s := firstSentence(p.m.Shapes[name].Documentation); s != "" && id == name {
		return id + ": " + s
	}
	return fmt.Sprintf("%s is the model %s %s.", id, kind, name)
}

func (p *pkg) types(b *bytes.Buffer) {
	f := &file{imports: map[string]bool{}}
	for _, name := range sortedKeys(p.typeName) {
		s := p.m.Shapes[name]
		if s.Type != "structure" {
			continue
		}
		f.p("// %s", p.docLine(name, "shape"))
		if len(s.Members) == 0 {
			f.p("type %s struct{}\n", p.typeName[name])
			continue
		}
		f.p("type %s struct {", p.typeName[name])
		fields := namer{}
		for _, m := range s.Members {
			f.p("%s %s `json:\"%s,omitzero\"`", fields.take(exported(m.Name)), p.goType(f, m.Shape, true), m.Name)
		}
		f.p("}\n")
	}
	f.render(b, p.name)
}

func (p *pkg) enums(b *bytes.Buffer) {
	f := &file{imports: map[string]bool{}}
	for _, name := range sortedKeys(p.consts) {
		t := p.typeName[name]
		f.p("// %s", p.docLine(name, "enum"))
		f.p("type %s string\n", t)
		f.p("const (")
		names := make([]string, 0, len(p.consts[name]))
		for _, c := range p.consts[name] {
			f.p("%s %s = %s", c.name, t, strconv.Quote(c.value))
			names = append(names, c.name)
		}
		f.p(")\n")
		f.p("// %s returns the values of %s in model order.", p.valuesName[name], t)
		f.p("func %s() []%s {", p.valuesName[name], t)
		f.p("return []%s{\n%s}", t, wrap(names, ", ", 100))
		f.p("}\n")
	}
	f.render(b, p.name)
}

// wrap joins items with sep, breaking lines at about width characters; every line ends with
// sep (so a trailing comma when sep is ", ").
func wrap(items []string, sep string, width int) string {
	var b strings.Builder
	line := 0
	for _, it := range items {
		if line > 0 && line+len(it)+len(sep) > width {
			b.WriteString("\n")
			line = 0
		}
		b.WriteString(it + sep)
		line += len(it) + len(sep)
	}
	return strings.TrimRight(b.String(), " ") + "\n"
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strconv.Quote(s)
	}
	return out
}

var shapeTypes = map[string]string{
	"structure": "TypeStructure", "list": "TypeList", "map": "TypeMap", "string": "TypeString",
	"integer": "TypeInteger", "long": "TypeLong", "float": "TypeFloat", "double": "TypeDouble",
	"boolean": "TypeBoolean", "timestamp": "TypeTimestamp", "blob": "TypeBlob",
}

// errorInfo is the wire code, HTTP status and fault side of an exception shape.
func (p *pkg) errorInfo(name string) (code string, status int, sender bool) {
	s := p.m.Shapes[name]
	if e := s.Error; e != nil {
		code, status = e.Code, e.HTTPStatusCode
		if code == "" {
			code = name
		}
		if status == 0 {
			status = 400
		}
		return code, status, e.SenderFault != nil && *e.SenderFault
	}
	if s.Fault {
		return name, 500, false
	}
	return name, 400, true
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// doc writes doc.go, which holds the package comment and nothing else.
func (p *pkg) doc(b *bytes.Buffer) {
	md := p.m.Metadata
	f := &file{imports: map[string]bool{}}
	f.doc = fmt.Sprintf("Package %s is generated from the model of %s (%s, API version %s): the types, "+
		"enums, errors and operations of the service and its awsproto.Service.", p.name, md.ServiceFullName, p.serviceName(), md.APIVersion) +
		"\n\n" + fmt.Sprintf("internal/api/gen writes it from internal/api/models/%s.json. It must never be edited by hand: "+
		"change the model or the generator and run go generate in internal/api. Among orgconfig packages it imports "+
		"only internal/awsproto (tests/deps checks it).", strings.TrimSuffix(p.name, "api"))
	f.render(b, p.name)
}

func (p *pkg) model(b *bytes.Buffer) {
	md := p.m.Metadata
	f := &file{imports: map[string]bool{awsprotoPath: true}}
	if len(p.skipped) > 0 {
		f.p("// Patterns of the model that Go's RE2 cannot express; they are not enforced:")
		for _, s := range p.skipped {
			f.p("//   - %s", s)
		}
		f.p("")
	}
	f.p("// Service is the model of %s as the router and the validator use it.", md.ServiceFullName)
	f.p("var Service = &awsproto.Service{")
	f.p("Name: %q,", p.serviceName())
	f.p("Protocol: awsproto.%s,", p.protocol())
	f.p("APIVersion: %q,", md.APIVersion)
	if md.TargetPrefix != "" {
		f.p("TargetPrefix: %q,", md.TargetPrefix)
	}
	if md.XMLNamespace != "" {
		f.p("XMLNamespace: %q,", md.XMLNamespace)
	}
	f.p("Operations: map[string]*awsproto.Operation{")
	for _, name := range sortedKeys(p.m.Operations) {
		op := p.m.Operations[name]
		fields := []string{"Name: " + strconv.Quote(name)}
		if op.Input != nil {
			fields = append(fields, "Input: "+strconv.Quote(op.Input.Shape))
		}
		if op.Output != nil {
			fields = append(fields, "Output: "+strconv.Quote(op.Output.Shape))
			if op.Output.ResultWrapper != "" {
				fields = append(fields, "ResultWrapper: "+strconv.Quote(op.Output.ResultWrapper))
			}
		}
		if len(op.Errors) > 0 {
			errs := make([]string, len(op.Errors))
			for i, e := range op.Errors {
				errs[i] = e.Shape
			}
			fields = append(fields, "Errors: []string{"+strings.Join(quoteAll(errs), ", ")+"}")
		}
		f.p("%q: {%s},", name, strings.Join(fields, ", "))
	}
	f.p("},")
	f.p("Shapes: map[string]*awsproto.Shape{")
	for _, name := range sortedKeys(p.m.Shapes) {
		p.shapeLiteral(f, name)
	}
	f.p("},")
	f.p("}")
	f.render(b, p.name)
}

func (p *pkg) shapeLiteral(f *file, name string) {
	s := p.m.Shapes[name]
	fields := []string{"Name: " + strconv.Quote(name), "Type: awsproto." + shapeTypes[s.Type]}
	if len(s.Required) > 0 {
		fields = append(fields, "Required: []string{"+strings.Join(quoteAll(s.Required), ", ")+"}")
	}
	for _, r := range []struct {
		field string
		ref   *ref
	}{{"Member", s.Member}, {"Key", s.Key}, {"Value", s.Value}} {
		if r.ref != nil {
			fields = append(fields, r.field+": "+strconv.Quote(r.ref.Shape))
		}
	}
	if s.Flattened {
		fields = append(fields, "Flattened: true")
	}
	if s.Min != nil {
		fields = append(fields, "Min: "+num(*s.Min), "HasMin: true")
	}
	if s.Max != nil {
		fields = append(fields, "Max: "+num(*s.Max), "HasMax: true")
	}
	if re := p.pattern[name]; re != "" {
		fields = append(fields, "Pattern: "+goString(re))
	}
	if s.Exception {
		code, status, sender := p.errorInfo(name)
		fields = append(fields, "Exception: true", "Code: "+strconv.Quote(code), "Status: "+strconv.Itoa(status))
		if sender {
			fields = append(fields, "SenderFault: true")
		}
	}
	line := fmt.Sprintf("%q: {%s", name, strings.Join(fields, ", "))
	switch {
	case len(s.Enum) > 0:
		f.p("%s, Enum: []string{\n%s}},", line, wrap(quoteAll(s.Enum), ", ", 100))
	case len(s.Members) > 0:
		f.p("%s, Members: []awsproto.Member{", line)
		for _, m := range s.Members {
			mf := []string{"Name: " + strconv.Quote(m.Name), "Shape: " + strconv.Quote(m.Shape)}
			if m.LocationName != "" {
				mf = append(mf, "LocationName: "+strconv.Quote(m.LocationName))
			}
			if m.Flattened {
				mf = append(mf, "Flattened: true")
			}
			f.p("{%s},", strings.Join(mf, ", "))
		}
		f.p("}},")
	default:
		f.p("%s},", line)
	}
}

func (p *pkg) api(b *bytes.Buffer) {
	f := &file{imports: map[string]bool{"context": true, awsprotoPath: true}}
	full := p.m.Metadata.ServiceFullName
	ops := sortedKeys(p.m.Operations)
	// params names the parameters (ctx, in); types leaves them unnamed, for Unimplemented.
	type sig struct{ params, types, results, helper string }
	sigs := make(map[string]sig, len(ops))
	for _, name := range ops {
		op := p.m.Operations[name]
		s := sig{params: "ctx context.Context", types: "context.Context", results: "error", helper: "handle"}
		if op.Input != nil {
			s.params += ", in *" + p.typeName[op.Input.Shape]
			s.types += ", *" + p.typeName[op.Input.Shape]
		} else {
			s.helper += "NoInput"
		}
		if op.Output != nil {
			s.results = "(*" + p.typeName[op.Output.Shape] + ", error)"
		} else {
			s.helper += "NoOutput"
		}
		sigs[name] = s
	}

	f.p("// API is the set of operations of %s, one method per operation of the model.", full)
	f.p("type API interface {")
	for _, name := range ops {
		f.p("%s(%s) %s", p.methodName[name], sigs[name].params, sigs[name].results)
	}
	f.p("}\n")

	f.p("// Unimplemented implements API: every method fails with NotImplementedException. Services embed")
	f.p("// it and override the operations they implement.")
	f.p("type Unimplemented struct{}\n")
	f.p("var _ API = Unimplemented{}\n")
	for _, name := range ops {
		s := sigs[name]
		ret := "awsproto.NotImplemented(Service.Name, " + strconv.Quote(name) + ")"
		if s.results != "error" {
			ret = "nil, " + ret
		}
		f.p("func (Unimplemented) %s(%s) %s { return %s }\n", p.methodName[name], s.types, s.results, ret)
	}

	f.p("// Handlers returns the awsproto.Handler of every operation, keyed by operation name, that decodes")
	f.p("// the input, calls api and returns the output.")
	f.p("func Handlers(api API) map[string]awsproto.Handler {")
	f.p("return map[string]awsproto.Handler{")
	for _, name := range ops {
		f.p("%q: awsproto.%s(api.%s),", name, exportHelper(sigs[name].helper), p.methodName[name])
	}
	f.p("}")
	f.p("}\n")

	f.render(b, p.name)
}

// exportHelper names the awsproto adapter for a handler kind ("handleNoInput" → HandleNoInput).
func exportHelper(h string) string { return strings.ToUpper(h[:1]) + h[1:] }

func (p *pkg) errors(b *bytes.Buffer) {
	f := &file{imports: map[string]bool{}}
	for _, name := range sortedKeys(p.errName) {
		code, status, sender := p.errorInfo(name)
		f.p("// %s returns the model error %s (code %s, HTTP %d).", p.errName[name], name, code, status)
		f.p("func %s(format string, args ...any) *awsproto.Error {", p.errName[name])
		f.p("return newError(%q, %d, %t, format, args...)", code, status, sender)
		f.p("}\n")
	}
	if len(p.errName) > 0 {
		f.use("fmt")
		f.use(awsprotoPath)
		query := ""
		if p.protocol() == "Query" {
			query = ", QueryCode: code"
		}
		f.p(`// newError builds a model error with a printf-style message.
func newError(code string, status int, sender bool, format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: code%s, Status: status, Sender: sender, Message: fmt.Sprintf(format, args...)}
}`, query)
	}
	f.render(b, p.name)
}
