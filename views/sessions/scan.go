package sessions

import (
	"bytes"
	"cmp"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	session "github.com/hark-audio/hark/sessions"
)

// DefaultDir is the folder the workbench records its sessions in.
const DefaultDir = "hark-sessions"

// maxFiles bounds the session files one scan reads.
const maxFiles = 500

// entry is one session file in the list.
type entry struct {
	path string // as found: a folder of Config.Dirs joined with the file's name
	s    *session.Session
	sum  session.Summary
	err  error
}

// candidates lists the files of dirs that may be session files: each folder's *.json and its
// hark-sessions folder's, not deeper, each once.
func candidates(dirs []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(dir string) {
		names, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return
		}
		for _, n := range names {
			abs, err := filepath.Abs(n)
			if err != nil {
				abs = n
			}
			if !seen[abs] {
				seen[abs] = true
				out = append(out, n)
			}
		}
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		add(d)
		if filepath.Base(filepath.Clean(d)) != DefaultDir {
			add(filepath.Join(d, DefaultDir))
		}
	}
	return out
}

// looksLikeSession reads the first bytes of a file: session files name their format at once,
// so that a dataset's JSON manifests are passed over without being read whole.
func looksLikeSession(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 256)
	n, _ := io.ReadFull(f, head)
	return bytes.Contains(head[:n], []byte(`"`+session.Format+`"`))
}

// scan reads every session file of dirs (slow: run it in a command). Files that fail to read
// are listed with their error; the rest newest first.
func scan(dirs []string) []entry {
	var out []entry
	for _, path := range candidates(dirs) {
		if len(out) == maxFiles {
			break
		}
		if !looksLikeSession(path) {
			continue
		}
		e := entry{path: path}
		e.s, e.err = session.ReadWith(path, session.ParseOptions{IgnoreChecksum: true})
		if e.err == nil {
			e.sum = e.s.Summary()
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b entry) int {
		if (a.err == nil) != (b.err == nil) {
			if a.err == nil {
				return -1
			}
			return 1
		}
		if c := b.sum.Created.Compare(a.sum.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.path, b.path)
	})
	return out
}

// matches says whether the entry shows under a filter: every word of it appears in the file
// name, dataset, model, task, name or status.
func (e *entry) matches(filter string) bool {
	if filter == "" {
		return true
	}
	hay := strings.ToLower(strings.Join([]string{e.path, e.sum.Name, e.sum.Dataset, e.sum.Layout, e.sum.Model,
		e.sum.Task, e.sum.Status, e.sum.Metric}, " "))
	for _, w := range strings.Fields(strings.ToLower(filter)) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}
