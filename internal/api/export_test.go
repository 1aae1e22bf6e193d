package api

import "sort"

// CommandNames lists the commands h answers, legacy names included, sorted.
func CommandNames(h *Handler) []string {
	names := make([]string, 0, len(h.commands))
	for n := range h.commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
