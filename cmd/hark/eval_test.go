package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEvalHelpAndErrors(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runEval([]string{"--help"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "Usage: hark eval") || !strings.Contains(out.String(), "-predictions") {
		t.Errorf("--help: exit %d\n%s", code, out.String())
	}
	data := demoData(t)
	bare := tinyModel(t, 0)                        // no spec.json beside it
	withSpec := tinyModel(t, 250*time.Millisecond) // a spec naming a dataset that is not there
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{nil, exitUsage, "give the model"},
		{[]string{"--run", "a", "--model", "b"}, exitUsage, "give only one"},
		{[]string{"--model", bare, "stray"}, exitUsage, `unexpected argument "stray"`},
		{[]string{"--model", bare, "--nope"}, exitUsage, "nope"},
		{[]string{"--model", bare}, exitUser, "give --data DIR"},
		{[]string{"--model", filepath.Join(t.TempDir(), "none.hark")}, exitUser, "no such file"},
		{[]string{"--model", bare, "--data", data, "--split", "halves"}, exitUser, `--split "halves"`},
		{[]string{"--model", bare, "--data", data, "--layout", "tree"}, exitUser, `--layout "tree": unknown layout`},
		{[]string{"--model", withSpec}, exitUser, "somewhere"},
		{[]string{"--session", filepath.Join(t.TempDir(), "s.json")}, exitUser, "--session"},
		{[]string{"--model", bare, "--data", data, "--layout", "folders", "--predictions", filepath.Join(t.TempDir(), "no", "p.csv")}, exitUser, "--predictions"},
	} {
		var out, errb bytes.Buffer
		code := runEval(c.args, &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", c.args, code, errb.String(), c.code, c.msg)
		}
	}
	// An untrained model on another dataset: every item scored, a full report.
	out.Reset()
	if code := runEval([]string{"--model", bare, "--data", data, "--layout", "folders"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "weighted avg") || !strings.Contains(out.String(), "all split") {
		t.Errorf("eval --data: exit %d\n%s%s", code, out.String(), errb.String())
	}
}
