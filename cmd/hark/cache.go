package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hark-audio/hark/engine/cache"
)

// cacheReport is `hark cache --json`: where the feature cache is and what it holds on disk.
type cacheReport struct {
	Dir        string `json:"dir"`
	Entries    int    `json:"entries"`
	Packs      int    `json:"packs"`
	Bytes      int64  `json:"bytes"`
	StaleBytes int64  `json:"stale_bytes"`
	// Cleared is set by `hark cache clear`: what was there before (the fields above are after).
	Cleared *cacheReport `json:"cleared,omitempty"`
	// Pruned is set by `hark cache prune`: what it removed.
	Pruned *prunedReport `json:"pruned,omitempty"`
}

type prunedReport struct {
	UnusedFor string `json:"unused_for"`
	Entries   int    `json:"entries"`
	Packs     int    `json:"packs"`
	Bytes     int64  `json:"bytes"`
}

func runCache(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("cache", "[clear | prune [--unused-for AGE]] [--json]\n\n"+
		"Shows where the feature cache is ($HARK_CACHE/features, else the user cache directory's\n"+
		"hark/features) and what it holds. `hark cache clear` removes every entry, including those\n"+
		"that other releases of hark left; `hark cache prune` removes the entries and packs not\n"+
		"read for --unused-for (a pack goes as a whole). Features are recomputed when next needed.", stdout)
	asJSON := fs.Bool("json", false, "print one JSON document and nothing else")
	unusedFor := fs.String("unused-for", "30d", "with prune: remove what was not used for `AGE` (30d, 12h, 90m)")
	pos, code, ok := parseArgs(fs, args, stderr)
	if !ok {
		return code
	}
	action := ""
	if len(pos) > 0 {
		action = pos[0]
	}
	switch {
	case len(pos) > 1:
		fmt.Fprintf(stderr, "hark cache: unexpected argument %q\n", pos[1])
		return exitUsage
	case action != "" && action != "clear" && action != "prune":
		fmt.Fprintf(stderr, "hark cache: unknown action %q (clear or prune)\n", action)
		return exitUsage
	}
	if action != "prune" && flagGiven(fs, "unused-for") {
		fmt.Fprintln(stderr, "hark cache: --unused-for goes with prune")
		return exitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "hark cache: %v\n", err)
		return exitUser
	}
	age, err := parseAge(*unusedFor)
	if err != nil {
		return fail(fmt.Errorf("--unused-for %q: %w", *unusedFor, err))
	}
	c, err := cache.Default()
	if err != nil {
		return fail(err)
	}
	report := func() (*cacheReport, error) {
		u, err := c.Usage()
		if err != nil {
			return nil, err
		}
		return &cacheReport{Dir: c.Dir(), Entries: u.Entries, Packs: u.Packs, Bytes: u.Bytes, StaleBytes: u.Stale}, nil
	}
	before, err := report()
	if err != nil {
		return fail(err)
	}
	r := before
	var pruned *prunedReport
	switch action {
	case "clear":
		err = c.Clear()
	case "prune":
		var gone cache.Usage
		gone, err = c.Prune(age)
		pruned = &prunedReport{UnusedFor: *unusedFor, Entries: gone.Entries, Packs: gone.Packs, Bytes: gone.Bytes}
	}
	if err != nil {
		return fail(err)
	}
	if action != "" {
		if r, err = report(); err != nil {
			return fail(err)
		}
		r.Pruned = pruned
		if action == "clear" {
			r.Cleared = before
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return fail(err)
		}
		return exitOK
	}
	switch action {
	case "clear":
		fmt.Fprintf(stdout, "removed %s, %s, from %s\n", entries(before.Entries), byteSize(before.Bytes+before.StaleBytes), r.Dir)
		return exitOK
	case "prune":
		fmt.Fprintf(stdout, "removed %s unused for %s (%d pack file%s), %s; %s, %s left in %s\n",
			entries(pruned.Entries), *unusedFor, pruned.Packs, plural(pruned.Packs), byteSize(pruned.Bytes),
			entries(r.Entries), byteSize(r.Bytes), r.Dir)
		return exitOK
	}
	fmt.Fprintf(stdout, "feature cache: %s\n%s in %d pack file%s and loose files, %s\n",
		r.Dir, entries(r.Entries), r.Packs, plural(r.Packs), byteSize(r.Bytes))
	if r.StaleBytes > 0 {
		fmt.Fprintf(stdout, "%s left by other releases of hark (`hark cache clear` removes them)\n", byteSize(r.StaleBytes))
	}
	return exitOK
}

// parseAge reads a duration as Go writes them (90m, 12h) or in days (30d).
func parseAge(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil {
			return 0, errors.New("not a number of days (30d), nor a duration (12h)")
		}
		d = time.Duration(n * float64(24*time.Hour))
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, errors.New("not a number of days (30d), nor a duration (12h)")
		}
	}
	if d <= 0 {
		return 0, errors.New("must be positive")
	}
	return d, nil
}

// entries counts cache entries in words: "1 entry", "12 entries".
func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}

// byteSize writes n bytes with a binary unit: 512 B, 3.2 MiB, 1.5 GiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
