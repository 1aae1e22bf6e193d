package callback

import (
	"errors"
	"net/url"
	"strings"
)

// RedactURL is a callback URL fit for logs: scheme, host and path, with any
// user name or password and the query string replaced by "redacted" (a
// customer's URL may carry a token in either), and no fragment.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return "(unparsable URL)"
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	if u.User != nil {
		out.User = url.User("redacted")
	}
	if u.RawQuery != "" || u.ForceQuery {
		out.RawQuery = "redacted"
	}
	return out.String()
}

// redactErr is err's text with the callback URL target redacted wherever it
// appears (the HTTP client names the URL in its errors).
func redactErr(err error, target string) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.URL != "" {
		c := *ue
		c.URL = RedactURL(ue.URL)
		// Replace the wrapped url.Error's text with the redacted one,
		// keeping whatever wraps it.
		text := strings.ReplaceAll(err.Error(), ue.Error(), c.Error())
		return redactText(text, target, ue.URL)
	}
	return redactText(err.Error(), target)
}

// redactText replaces every given URL in text by its redacted form.
func redactText(text string, urls ...string) string {
	for _, u := range urls {
		if u != "" {
			text = strings.ReplaceAll(text, u, RedactURL(u))
		}
	}
	return text
}
