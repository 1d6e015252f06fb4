package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"
)

// maxLine bounds one line of a list or pair file: a longer line is malformed, not a reason to
// read a whole disk image into memory.
const maxLine = 1 << 16

// eachLine calls fn with every line of r (1-based numbers), without the line ending and with a
// leading byte-order mark removed. Lines too long or not UTF-8 are reported to bad instead.
func eachLine(r io.Reader, fn func(n int, line string), bad func(n int, err error)) error {
	br := bufio.NewReaderSize(r, maxLine)
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			bad(n, fmt.Errorf("line longer than %d bytes", maxLine))
			// Skip the rest of the overlong line.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			continue
		}
		if err != nil && err != io.EOF {
			return err
		}
		if len(line) == 0 && err == io.EOF {
			return nil
		}
		s := strings.TrimRight(string(line), "\r\n")
		if n == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		if !utf8.ValidString(s) {
			bad(n, errors.New("not UTF-8 text"))
		} else {
			fn(n, s)
		}
		if err == io.EOF {
			return nil
		}
	}
}

// listEntry is one line of a file list (Speech Commands' validation_list.txt).
type listEntry struct {
	Line int
	Path string // relative, slash-separated, clean
}

// parseList reads a list of relative file paths, one per line; blank lines and # comments are
// skipped. Malformed lines are returned as problems naming name and the line.
func parseList(r io.Reader, name string) ([]listEntry, []Problem) {
	var entries []listEntry
	var problems []Problem
	bad := func(n int, err error) { problems = append(problems, Problem{Path: name, Line: n, Err: err}) }
	err := eachLine(r, func(n int, line string) {
		s := strings.TrimSpace(line)
		if s == "" || strings.HasPrefix(s, "#") {
			return
		}
		if err := checkRelPath(s); err != nil {
			bad(n, err)
			return
		}
		if !strings.Contains(s, "/") {
			bad(n, fmt.Errorf("%q has no folder: want <word>/<file>", s))
			return
		}
		entries = append(entries, listEntry{Line: n, Path: s})
	}, bad)
	if err != nil {
		bad(0, fmt.Errorf("read: %w", err))
	}
	return entries, problems
}

// checkRelPath accepts a clean, relative, slash-separated path to a data file.
func checkRelPath(s string) error {
	switch {
	case len(strings.Fields(s)) != 1:
		return fmt.Errorf("%q: want one path, found %d fields", s, len(strings.Fields(s)))
	case strings.Contains(s, `\`):
		return fmt.Errorf("%q: backslash in path (want / separators)", s)
	case path.IsAbs(s):
		return fmt.Errorf("%q: absolute path (want one relative to the dataset)", s)
	case path.Clean(s) != s || s == "." || strings.HasPrefix(s, "../"):
		return fmt.Errorf("%q: not a clean relative path", s)
	case mediaOf(s) == "":
		return fmt.Errorf("%q: not an audio, image or .npy file name", s)
	}
	return nil
}
