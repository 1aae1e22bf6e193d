package api_test

// The OpenAPI description (openapi.json, served at /openapi.json) cannot
// drift from what the API answers: it is validated as OpenAPI 3.1 by
// libopenapi-validator (against the specification's own JSON Schema), it
// names exactly the commands the handler has, every golden answer in
// testdata/golden validates against the answer schema of its command, every
// error golden's text is among the texts the description lists for that
// command, and docs/openapi.md is rendered from it. Rewrite docs/openapi.md
// after changing openapi.json with:
//
//	go test ./internal/api/ -run OpenAPIMarkdown -update

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"mdnhub/internal/api"
	"mdnhub/internal/app/apptest"
	"mdnhub/internal/refusal"
)

const pathPrefix = "/api_command.php?cmd="

// openAPIModel parses and builds the description, failing the test on any
// error (an unresolved $ref included).
func openAPIModel(t *testing.T) (libopenapi.Document, *v3.Document) {
	t.Helper()
	doc, err := libopenapi.NewDocument(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if f := doc.GetSpecInfo().SpecFormat; f != datamodel.OAS31 {
		t.Fatalf("spec format %q, want OpenAPI 3.1", f)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("building the model: %v", err)
	}
	return doc, &model.Model
}

func TestOpenAPIValid(t *testing.T) {
	doc, model := openAPIModel(t)
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("%s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s at %s", se.Reason, se.KeywordLocation)
			}
		}
	}
	if !strings.HasPrefix(model.Version, "3.1") {
		t.Fatalf("openapi %q", model.Version)
	}

	// The validator's own negative case: a response without its required
	// description is refused.
	broken := bytes.Replace(api.OpenAPI(), []byte(`"description": "The envelope: `), []byte(`"summary": "The envelope: `), 1)
	bdoc, err := libopenapi.NewDocument(broken)
	if err != nil {
		t.Fatal(err)
	}
	bv, _ := validator.NewValidator(bdoc)
	if ok, _ := bv.ValidateDocument(); ok {
		t.Fatal("a response without a description passed validation")
	}
}

// TestOpenAPICommands: one operation per command the handler answers, and
// no other; each operation's cmd parameter is its command.
func TestOpenAPICommands(t *testing.T) {
	_, model := openAPIModel(t)
	var described []string
	for path, item := range model.Paths.PathItems.FromOldest() {
		cmd, ok := strings.CutPrefix(path, pathPrefix)
		if !ok || item.Get == nil {
			t.Fatalf("path %s: want %s<cmd> with a GET operation", path, pathPrefix)
		}
		described = append(described, cmd)
		first := item.Get.Parameters[0]
		if first.Name != "cmd" || first.Schema.Schema().Const == nil || first.Schema.Schema().Const.Value != cmd {
			t.Errorf("%s: the cmd parameter is not const %q", path, cmd)
		}
	}
	sort.Strings(described)
	h := api.NewHandler(api.Deps{})
	if have := api.CommandNames(h); !slices.Equal(have, described) {
		t.Fatalf("the handler answers %v\nthe description has %v", have, described)
	}
}

// goldenCommand maps a golden file to the command that answered it: the
// explicit table first, else the longest command name the file's name
// starts with. "" is an error answered before any command (unknown
// command, malformed call): checked against the error schema and the common
// texts.
func goldenCommand(name string, commands []string) (string, bool) {
	explicit := map[string]string{
		"error_unknown_command": "", "error_missing_command": "", "error_unknown_command_long": "",
		"error_method_not_allowed": "", "error_body_too_large": "", "error_malformed_body": "", "error_malformed_query": "",
		"error_missing_user": "balance", "error_missing_api_key": "balance", "error_unauthorized": "balance", "error_suspended": "balance",
		"error_missing_service": "request", "error_invalid_service": "request", "error_service_too_long": "request",
		"error_service_list_too_long": "request", "error_service_list_twice": "request", "error_markup": "request",
		"error_areacode": "request", "error_state": "request", "error_mdn": "request", "error_insufficient_funds": "request",
		"error_no_numbers": "request", "error_mdn_not_available": "request", "error_too_many_open": "request",
		"error_missing_id": "request_status", "error_invalid_request_id": "request_status",
		"error_reject_has_message": "reject", "error_reject_rejected": "reject",
		"error_limit": "read_sms", "error_since": "read_sms",
		"error_send_missing_mdn": "send_sms", "error_send_not_holder": "send_sms",
		"error_list_services_unknown": "list_services",

		"ltr_error_missing_service": "ltr_rent", "ltr_error_invalid_service": "ltr_rent", "ltr_error_duration": "ltr_rent",
		"ltr_error_no_short_rental": "ltr_rent", "ltr_error_autorenew_value": "ltr_rent", "ltr_error_reserve_unlimited": "ltr_rent",
		"ltr_error_insufficient_funds": "ltr_rent", "ltr_error_no_numbers": "ltr_rent", "ltr_error_mdn_not_available": "ltr_rent",
		"ltr_error_no_rental": "ltr_status", "ltr_error_rental_ended": "ltr_status", "ltr_error_invalid_rental_id": "ltr_status",
		"ltr_error_autorenew_ended": "ltr_autorenew", "ltr_error_already_reported": "ltr_report",
		"ltr_error_no_report": "ltr_reported_status", "ltr_error_not_switchable": "ltr_switch_service",
		"ltr_error_missing_new_service": "ltr_switch_service", "ltr_error_switch_to_unlimited": "ltr_switch_service",
		"ltr_error_not_fresh": "ltr_switch_service", "ltr_error_forward_unsupported": "ltr_forward",
		"ltr_error_missing_destination": "ltr_forward", "ltr_error_destination": "ltr_forward",
	}
	if cmd, ok := explicit[name]; ok {
		return cmd, true
	}
	if rest, ok := strings.CutPrefix(name, "ltr_read_sms"); ok && (rest == "" || rest[0] == '_') {
		return "read_sms", true // read_sms of a rental
	}
	best := ""
	for _, c := range commands {
		if (name == c || strings.HasPrefix(name, c+"_")) && len(c) > len(best) {
			best = c
		}
	}
	return best, best != ""
}

// errorTexts are the error texts the description lists for cmd (and for
// every command), as patterns: a <placeholder> stands for any text.
func errorTexts(t *testing.T, cmd string) []*regexp.Regexp {
	t.Helper()
	var raw struct {
		Common []string `json:"x-common-error-messages"`
		Paths  map[string]struct {
			Get struct {
				Errors []string `json:"x-error-messages"`
			} `json:"get"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &raw); err != nil {
		t.Fatal(err)
	}
	texts := append(raw.Common, raw.Paths[pathPrefix+cmd].Get.Errors...)
	texts = append(texts, "Too many requests, retry later", "Method not allowed: use GET or POST")
	placeholder := regexp.MustCompile(`<[a-z_]+>`)
	out := make([]*regexp.Regexp, len(texts))
	for i, s := range texts {
		parts := placeholder.Split(s, -1)
		for j := range parts {
			parts[j] = regexp.QuoteMeta(parts[j])
		}
		out[i] = regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
	}
	return out
}

// TestOpenAPIGoldens validates every golden answer against the answer
// schema of its command.
func TestOpenAPIGoldens(t *testing.T) {
	_, model := openAPIModel(t)
	commands := []string{}
	answer := map[string]*base.Schema{}
	for path, item := range model.Paths.PathItems.FromOldest() {
		cmd := strings.TrimPrefix(path, pathPrefix)
		commands = append(commands, cmd)
		resp := item.Get.Responses.Codes.GetOrZero("200")
		media := resp.Content.GetOrZero("application/json")
		s, err := media.Schema.BuildSchema()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		answer[cmd] = s
	}
	errSchema, err := model.Components.Schemas.GetOrZero("Error").BuildSchema()
	if err != nil {
		t.Fatal(err)
	}
	sv := schema_validation.NewSchemaValidator()
	validate := func(name string, s *base.Schema, body []byte) {
		t.Helper()
		if ok, errs := sv.ValidateSchemaBytes(s, body); !ok {
			for _, e := range errs {
				t.Errorf("%s: %s", name, e.Reason)
				for _, se := range e.SchemaValidationErrors {
					t.Errorf("  %s at %s", se.Reason, se.KeywordLocation)
				}
			}
		}
	}

	files, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil || len(files) < 100 {
		t.Fatalf("%d golden files (%v)", len(files), err)
	}
	covered := map[string]int{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cmd, ok := goldenCommand(name, commands)
		if !ok {
			t.Errorf("golden %s: no command known; add it to goldenCommand", name)
			continue
		}
		if cmd == "" {
			validate(name, errSchema, body)
		} else {
			validate(name, answer[cmd], body)
		}
		covered[cmd]++
		var env struct{ Status, Message any }
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if env.Status == "error" {
			text, _ := env.Message.(string)
			if !slices.ContainsFunc(errorTexts(t, cmd), func(re *regexp.Regexp) bool { return re.MatchString(text) }) {
				t.Errorf("golden %s: %q is not among the error texts listed for %q", name, text, cmd)
			}
		}
	}
	t.Logf("%d golden files validated, by command: %v", len(files), covered)

	// The schemas do refuse what a strict client would: an id as a
	// number, a missing field, an unknown field, an ok text changed.
	for _, c := range []struct{ cmd, body string }{
		{"request", `{"status":"ok","message":[{"id":10000001,"mdn":"12125550000","service":"Google","status":"Reserved","state":"","markup":0,"price":1.20,"carrier":"TMobile","till_expiration":900}]}`},
		{"request", `{"status":"ok","message":[{"id":"10000001","mdn":"12125550000","service":"Google","status":"Reserved","state":"","markup":0,"price":"1.20","carrier":"TMobile","till_expiration":900}]}`},
		{"ltr_rent", `{"status":"ok","message":{"id":"1","mdn":"12125550000","service":"Google","price":24.00,"expires":"2020-10-14 14:42:36","carrier":"TMobile"}}`},
		{"balance", `{"status":"ok","message":10.00}`},
		{"read_sms", `{"status":"ok","message":[{"timestamp":1600108956,"date_time":"2020-09-14 14:42:36 EDT","from":"22000","to":"12125550000","service":"Google","price":1.20,"reply":"x","pin":""}]}`},
		{"list_services", `{"status":"ok","message":[{"name":"Google","price":1.20,"ltr_price":"24.00","ltr_short_price":"6.00","available":"2","otp_available":"2","ltr_available":"2"}]}`},
		{"reject", `{"status":"ok","message":"MDN rejected"}`},
		{"proxy_rent", `{"status":"ok","message":{"id":"1","port":"50001"}}`},
		{"balance", `{"status":"error","message":"x","extra":1}`},
	} {
		if ok, _ := sv.ValidateSchemaBytes(answer[c.cmd], []byte(c.body)); ok {
			t.Errorf("%s: the schema accepted %s", c.cmd, c.body)
		}
	}
}

// TestOpenAPIServed: the server serves the description at /openapi.json.
func TestOpenAPIServed(t *testing.T) {
	e := apptest.New(t, "sqlite", nil)
	srv := e.Server(t)
	resp, err := http.Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" || !bytes.Equal(body, api.OpenAPI()) {
		t.Fatalf("GET /openapi.json: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
}

// TestOpenAPIMarkdown: docs/openapi.md is the rendering of openapi.json.
func TestOpenAPIMarkdown(t *testing.T) {
	got, err := renderOpenAPIMarkdown(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	const path = "../../docs/openapi.md"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("docs/openapi.md is not the rendering of internal/api/openapi.json: run go test ./internal/api/ -run OpenAPIMarkdown -update")
	}
}

// TestOpenAPIRefusals: every text the domain's refusals are worded with
// (internal/refusal) is listed among the error texts of some command, so a
// refusal added to the domain cannot go undescribed.
func TestOpenAPIRefusals(t *testing.T) {
	var raw struct {
		Paths map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &raw); err != nil {
		t.Fatal(err)
	}
	var listed []*regexp.Regexp
	for path := range raw.Paths {
		listed = append(listed, errorTexts(t, strings.TrimPrefix(path, pathPrefix))...)
	}
	texts := refusal.Texts()
	if len(texts) < 40 {
		t.Fatalf("only %d refusal texts", len(texts))
	}
	for _, text := range texts {
		// The API completes some refusals with a detail ("Invalid service
		// name Goooooogle"): they are listed with a placeholder at the end.
		if !slices.ContainsFunc(listed, func(re *regexp.Regexp) bool {
			return re.MatchString(text) || re.MatchString(text+" Goooooogle")
		}) {
			t.Errorf("refusal %q is not among the error texts of any command in openapi.json", text)
		}
	}
}
