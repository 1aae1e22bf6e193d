package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// settings are where and as whom mdn calls.
type settings struct {
	URL, User, Key string
}

// configPath is the config file: $MDN_CONFIG, else
// $XDG_CONFIG_HOME/mdn/config, else ~/.config/mdn/config.
func configPath(getenv func(string) string) string {
	if p := getenv("MDN_CONFIG"); p != "" {
		return p
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "mdn", "config")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "mdn", "config")
	}
	return ""
}

// readConfig reads a config file of "name = value" lines (url, user, key;
// # starts a comment). A missing file is no error.
func readConfig(path string) (settings, error) {
	var s settings
	if path == "" {
		return s, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return s, fmt.Errorf("%s:%d: want name = value", path, n)
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		switch strings.TrimSpace(k) {
		case "url":
			s.URL = v
		case "user":
			s.User = v
		case "key", "api_key":
			s.Key = v
		default:
			return s, fmt.Errorf("%s:%d: unknown setting %q (url, user, key)", path, n, strings.TrimSpace(k))
		}
	}
	return s, sc.Err()
}

// resolve merges, first wins: flags, the MDN_* environment, the file.
func resolve(flags settings, getenv func(string) string, path string) (settings, error) {
	file, err := readConfig(path)
	if err != nil {
		return settings{}, err
	}
	pick := func(vals ...string) string {
		for _, v := range vals {
			if v != "" {
				return v
			}
		}
		return ""
	}
	s := settings{
		URL:  pick(flags.URL, getenv("MDN_URL"), file.URL),
		User: pick(flags.User, getenv("MDN_USER"), file.User),
		Key:  pick(flags.Key, getenv("MDN_KEY"), file.Key),
	}
	var missing []string
	if s.URL == "" {
		missing = append(missing, "url (MDN_URL)")
	}
	if s.User == "" {
		missing = append(missing, "user (MDN_USER)")
	}
	if s.Key == "" {
		missing = append(missing, "key (MDN_KEY)")
	}
	if len(missing) > 0 {
		return s, fmt.Errorf("missing %s: set the environment variables, or write them to %s", strings.Join(missing, ", "), path)
	}
	return s, nil
}
