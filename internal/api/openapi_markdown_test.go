package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// renderOpenAPIMarkdown renders the OpenAPI description as docs/openapi.md:
// the operations by tag with their parameters, answers and error texts,
// then the answer objects. The order is the description's own.
func renderOpenAPIMarkdown(spec []byte) ([]byte, error) {
	var doc struct {
		Info struct {
			Title, Summary, Description string
		}
		Tags   []struct{ Name string }
		Common []string                   `json:"x-common-error-messages"`
		Paths  map[string]json.RawMessage `json:"paths"`
		Comps  struct {
			Schemas    map[string]json.RawMessage
			Parameters map[string]map[string]any
		} `json:"components"`
	}
	if err := json.Unmarshal(spec, &doc); err != nil {
		return nil, err
	}
	var raw struct {
		Paths json.RawMessage `json:"paths"`
		Comps struct {
			Schemas json.RawMessage
		} `json:"components"`
	}
	if err := json.Unmarshal(spec, &raw); err != nil {
		return nil, err
	}
	pathOrder, err := orderedKeys(raw.Paths)
	if err != nil {
		return nil, err
	}
	schemaOrder, err := orderedKeys(raw.Comps.Schemas)
	if err != nil {
		return nil, err
	}
	type param struct {
		Ref         string `json:"$ref"`
		Name        string
		Required    bool
		Description string
		Deprecated  bool
		Schema      map[string]any
	}
	type operation struct {
		OperationID string
		Summary     string
		Description string
		Tags        []string
		Deprecated  bool
		Parameters  []param
		Errors      []string `json:"x-error-messages"`
	}
	ops := map[string]operation{}
	for path, r := range doc.Paths {
		var item struct{ Get operation }
		if err := json.Unmarshal(r, &item); err != nil {
			return nil, err
		}
		ops[path] = item.Get
	}
	resolve := func(p param) param {
		name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/")
		if !ok {
			return p
		}
		c := doc.Comps.Parameters[name]
		b, _ := json.Marshal(c)
		var out param
		_ = json.Unmarshal(b, &out)
		return out
	}
	messageSchema := func(path string) map[string]any {
		var item struct {
			Get struct {
				Responses map[string]struct {
					Content map[string]struct {
						Schema struct {
							OneOf []struct {
								Ref string `json:"$ref"`
							}
						}
					}
				}
			}
		}
		_ = json.Unmarshal(doc.Paths[path], &item)
		ref := item.Get.Responses["200"].Content["application/json"].Schema.OneOf[0].Ref
		var ok struct {
			Properties struct{ Message map[string]any }
		}
		_ = json.Unmarshal(doc.Comps.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")], &ok)
		return ok.Properties.Message
	}

	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# %s: the OpenAPI description\n\n", doc.Info.Title)
	p("<!-- Generated from internal/api/openapi.json by `go test ./internal/api/ -run OpenAPIMarkdown -update`. Do not edit. -->\n\n")
	p("The machine-readable description is `internal/api/openapi.json` (OpenAPI 3.1), served by every mdnhub at\n")
	p("`/openapi.json`. %s\n\n", doc.Info.Summary)
	p("%s\n\n", doc.Info.Description)
	p("Every command takes `user` and `api_key` (or `pass`); they are not repeated below.\n\n")

	p("## Commands\n\n| `cmd` | what it does |\n|---|---|\n")
	var legacy []string
	for _, path := range pathOrder {
		o := ops[path]
		cmd := strings.TrimPrefix(path, pathPrefix)
		if o.Deprecated {
			legacy = append(legacy, path)
			continue
		}
		p("| [`%s`](#%s) | %s |\n", cmd, strings.ReplaceAll(cmd, "_", "_"), o.Summary)
	}
	p("\nLegacy names, with the same parameters and answers:\n\n| legacy `cmd` | same as |\n|---|---|\n")
	for _, path := range legacy {
		o := ops[path]
		d := o.Description
		of := d[strings.Index(d, "`")+1:]
		of = of[:strings.Index(of, "`")]
		p("| `%s` | [`%s`](#%s) |\n", strings.TrimPrefix(path, pathPrefix), of, of)
	}
	p("\n")

	for _, tag := range doc.Tags {
		p("## %s\n\n", tag.Name)
		for _, path := range pathOrder {
			o := ops[path]
			if o.Deprecated || len(o.Tags) == 0 || o.Tags[0] != tag.Name {
				continue
			}
			cmd := strings.TrimPrefix(path, pathPrefix)
			p("### %s\n\n", cmd)
			p("**%s.**", o.Summary)
			if d, _, _ := strings.Cut(o.Description, "Errors (besides"); strings.TrimSpace(d) != "" {
				p(" %s", strings.TrimSpace(d))
			}
			p("\n\n")
			var rows []param
			for _, prm := range o.Parameters {
				prm = resolve(prm)
				switch prm.Name {
				case "cmd", "user", "api_key", "pass":
					continue
				}
				rows = append(rows, prm)
			}
			if len(rows) == 0 {
				p("Parameters: none.\n\n")
			} else {
				p("| parameter | required | value | meaning |\n|---|---|---|---|\n")
				for _, prm := range rows {
					req := ""
					if prm.Required {
						req = "yes"
					}
					p("| `%s` | %s | %s | %s |\n", prm.Name, req, cell(schemaText(prm.Schema)), cell(prm.Description))
				}
				p("\n")
			}
			p("Answer (`message`): %s.\n\n", schemaText(messageSchema(path)))
			if len(o.Errors) > 0 {
				p("Errors:\n\n")
				for _, e := range o.Errors {
					p("- `%s`\n", e)
				}
				p("\n")
			}
		}
	}

	p("## Answer objects\n\n")
	for _, name := range schemaOrder {
		if strings.HasPrefix(name, "Ok_") {
			continue
		}
		var s map[string]any
		if err := json.Unmarshal(doc.Comps.Schemas[name], &s); err != nil {
			return nil, err
		}
		p("### %s\n\n", name)
		if d, ok := s["description"].(string); ok {
			p("%s\n\n", d)
		}
		props, ok := s["properties"].(map[string]any)
		if !ok {
			p("%s.\n\n", schemaText(s))
			continue
		}
		propOrder, err := orderedKeys(mustField(doc.Comps.Schemas[name], "properties"))
		if err != nil {
			return nil, err
		}
		required := map[string]bool{}
		for _, r := range s["required"].([]any) {
			required[r.(string)] = true
		}
		p("| field | JSON type | meaning |\n|---|---|---|\n")
		for _, f := range propOrder {
			ps := props[f].(map[string]any)
			d, _ := ps["description"].(string)
			if !required[f] {
				d = strings.TrimSpace("Optional. " + d)
			}
			p("| `%s` | %s | %s |\n", f, cell(schemaText(ps)), cell(d))
		}
		p("\n")
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// schemaText describes a JSON schema in a few words.
func schemaText(s map[string]any) string {
	if s == nil {
		return "any"
	}
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		return fmt.Sprintf("[%s](#%s)", name, strings.ToLower(name))
	}
	if c, ok := s["const"]; ok {
		b, _ := json.Marshal(c)
		return "`" + string(b) + "`"
	}
	if alts, ok := s["oneOf"].([]any); ok {
		parts := make([]string, len(alts))
		for i, a := range alts {
			parts[i] = schemaText(a.(map[string]any))
			if d, ok := a.(map[string]any)["description"].(string); ok {
				parts[i] += " (" + strings.TrimSuffix(d, ".") + ")"
			}
		}
		return "one of " + strings.Join(parts, "; or ")
	}
	var out string
	switch t := s["type"].(type) {
	case string:
		out = t
	case []any:
		ts := make([]string, len(t))
		for i, x := range t {
			ts[i] = x.(string)
		}
		out = strings.Join(ts, " or ")
	}
	if e, ok := s["enum"].([]any); ok {
		vals := make([]string, len(e))
		for i, v := range e {
			b, _ := json.Marshal(v)
			vals[i] = "`" + string(b) + "`"
		}
		out += ": " + strings.Join(vals, ", ")
	}
	num := func(k string) (string, bool) {
		v, ok := s[k].(float64)
		return fmt.Sprint(v), ok
	}
	lo, hasLo := num("minimum")
	hi, hasHi := num("maximum")
	switch {
	case hasLo && hasHi:
		out += ", " + lo + " to " + hi
	case hasLo:
		out += ", at least " + lo
	}
	minL, hasMinL := num("minLength")
	maxL, hasMaxL := num("maxLength")
	switch {
	case hasMinL && hasMaxL:
		out += ", " + minL + " to " + maxL + " characters"
	case hasMaxL:
		out += ", at most " + maxL + " characters"
	}
	if pat, ok := s["pattern"].(string); ok {
		out += ", matching `" + pat + "`"
	}
	if items, ok := s["items"].(map[string]any); ok {
		out += " of " + schemaText(items)
		minI, hasMinI := num("minItems")
		maxI, hasMaxI := num("maxItems")
		switch {
		case hasMinI && hasMaxI:
			out += " (" + minI + " to " + maxI + ")"
		case hasMinI:
			out += " (at least " + minI + ")"
		}
	}
	return out
}

// cell makes text safe in a table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// orderedKeys returns the keys of a JSON object in their written order.
func orderedKeys(obj json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// mustField returns one field of a JSON object, raw.
func mustField(obj json.RawMessage, name string) json.RawMessage {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(obj, &m)
	return m[name]
}
