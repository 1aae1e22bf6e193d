package cli

import (
	"bytes"
	"context"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	for _, w := range []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"go build in a checkout with changes", &debug.BuildInfo{GoVersion: "go1.26.8",
			Main: debug.Module{Path: "mdnhub", Version: "v0.0.0-20261201134236-80d681430285+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "80d6814302856499a46764bae1b29e45bfca0fb1"},
				{Key: "vcs.time", Value: "2026-12-01T13:42:36Z"}, {Key: "vcs.modified", Value: "true"}}}, true,
			"mdnhub v0.0.0-20261201134236-80d681430285+dirty\ncommit 80d6814302856499a46764bae1b29e45bfca0fb1 (modified), 2026-12-01T13:42:36Z\ngo1.26.8 " + platform + "\n"},
		{"a tagged release", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "mdnhub", Version: "v1.2.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "false"}}}, true,
			"mdnhub v1.2.0\ncommit abc123\ngo1.26.8 " + platform + "\n"},
		{"go run", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "mdnhub", Version: "(devel)"}}, true,
			"mdnhub (devel)\ncommit unknown (built without version control information: go run, go test or -buildvcs=false)\ngo1.26.8 " + platform + "\n"},
		{"no build information", nil, false,
			"mdnhub (devel)\ncommit unknown (built without version control information: go run, go test or -buildvcs=false)\n" + runtime.Version() + " " + platform + "\n"},
	} {
		var out, errOut bytes.Buffer
		c := &CLI{Stdout: &out, Stderr: &errOut, BuildInfo: func() (*debug.BuildInfo, bool) { return w.info, w.ok }}
		if code := c.Run(context.Background(), []string{"version"}); code != 0 || out.String() != w.want || errOut.Len() != 0 {
			t.Errorf("%s: exit %d, stdout:\n%s\nwant:\n%s\nstderr %q", w.name, code, out.String(), w.want, errOut.String())
		}
	}
	// This test binary's own build information.
	code, out, _ := runCLI(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "mdnhub ") || !strings.Contains(out, "\ncommit ") {
		t.Errorf("exit %d, %q", code, out)
	}
	// version reads no configuration: it takes no -config.
	if code, _, errOut := runCLI(t, nil, "version", "-config", "x"); code != 2 || !strings.Contains(errOut, "-config") {
		t.Errorf("version -config: exit %d, %q", code, errOut)
	}
}
