package main

import (
	"encoding/json"
	"fmt"
	"io"

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
}

func runCache(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("cache", "[clear] [--json]\n\n"+
		"Shows where the feature cache is ($HARK_CACHE/features, else the user cache directory's\n"+
		"hark/features) and what it holds; `hark cache clear` removes every entry, including those\n"+
		"that other releases of hark left. Features are recomputed the next time they are needed.", stdout)
	asJSON := fs.Bool("json", false, "print one JSON document and nothing else")
	pos, code, ok := parseArgs(fs, args, stderr)
	if !ok {
		return code
	}
	clear := false
	switch {
	case len(pos) == 1 && pos[0] == "clear":
		clear = true
	case len(pos) > 0:
		fmt.Fprintf(stderr, "hark cache: unknown action %q (the only one is \"clear\")\n", pos[0])
		return exitUsage
	}
	c, err := cache.Default()
	if err != nil {
		fmt.Fprintf(stderr, "hark cache: %v\n", err)
		return exitUser
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
		fmt.Fprintf(stderr, "hark cache: %v\n", err)
		return exitUser
	}
	r := before
	if clear {
		if err := c.Clear(); err != nil {
			fmt.Fprintf(stderr, "hark cache: %v\n", err)
			return exitUser
		}
		if r, err = report(); err != nil {
			fmt.Fprintf(stderr, "hark cache: %v\n", err)
			return exitUser
		}
		r.Cleared = before
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "hark cache: %v\n", err)
			return exitUser
		}
		return exitOK
	}
	if clear {
		fmt.Fprintf(stdout, "removed %s, %s, from %s\n", entries(before.Entries), byteSize(before.Bytes+before.StaleBytes), r.Dir)
		return exitOK
	}
	fmt.Fprintf(stdout, "feature cache: %s\n%s in %d pack file%s and loose files, %s\n",
		r.Dir, entries(r.Entries), r.Packs, plural(r.Packs), byteSize(r.Bytes))
	if r.StaleBytes > 0 {
		fmt.Fprintf(stdout, "%s left by other releases of hark (`hark cache clear` removes them)\n", byteSize(r.StaleBytes))
	}
	return exitOK
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
