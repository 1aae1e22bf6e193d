package cli

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// versionCommand prints the version and commit the binary was built from.
func versionCommand() *command {
	return &command{
		noun:    "version",
		summary: "print mdnhub's version, the commit it was built from and the Go version",
		example: "mdnhub version",
		bare:    true,
		setup: func(*flag.FlagSet) action {
			return func(_ context.Context, r *run) error {
				read := r.BuildInfo
				if read == nil {
					read = debug.ReadBuildInfo
				}
				info, ok := read()
				fmt.Fprint(r.Stdout, versionText(info, ok))
				return nil
			}
		},
	}
}

// versionText describes a build: the main module's version, then the VCS
// revision (with "modified" when the tree had uncommitted changes) and its
// time, then the Go version and platform. go build records the revision
// in a checkout; go run, go test and -buildvcs=false do not, which the
// text says.
func versionText(info *debug.BuildInfo, ok bool) string {
	version, goVersion := "(devel)", runtime.Version()
	settings := map[string]string{}
	if ok && info != nil {
		if v := info.Main.Version; v != "" {
			version = v
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
	}
	commit := "commit unknown (built without version control information: go run, go test or -buildvcs=false)"
	if rev := settings["vcs.revision"]; rev != "" {
		commit = "commit " + rev
		if settings["vcs.modified"] == "true" {
			commit += " (modified)"
		}
		if t := settings["vcs.time"]; t != "" {
			commit += ", " + t
		}
	}
	return fmt.Sprintf("mdnhub %s\n%s\n%s %s/%s\n", version, commit, goVersion, runtime.GOOS, runtime.GOARCH)
}
