// Package redial runs proxy ports' redial actions: an HTTP request to the
// modem's API, or a local command, with the port's timeout.
package redial

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"

	"mdnhub/internal/proxy"
)

// Runner runs redial actions.
type Runner struct {
	client *http.Client
}

// New returns a redial runner.
func New() *Runner {
	return &Runner{client: &http.Client{}}
}

// Redial runs the port's action: "http://..." or "https://..." is a GET that
// must answer 2xx; anything else is a command line, split on spaces and run
// without a shell, that must exit 0. The port id is in the environment as
// MDNHUB_PORT for commands.
func (r *Runner) Redial(ctx context.Context, p proxy.Port) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, p.RedialTimeout)
	defer cancel()
	action := strings.TrimSpace(p.RedialAction)
	if action == "" {
		return "", proxy.ErrNoRedial
	}
	if strings.HasPrefix(action, "http://") || strings.HasPrefix(action, "https://") {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, action, nil)
		if err != nil {
			return "", err
		}
		resp, err := r.client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4000))
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return string(body), fmt.Errorf("redial URL answered HTTP %d", resp.StatusCode)
		}
		return string(body), nil
	}
	fields := strings.Fields(action)
	cmd := exec.CommandContext(ctx, fields[0], fields[1:]...)
	cmd.Env = append(cmd.Environ(), "MDNHUB_PORT="+p.ID)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
