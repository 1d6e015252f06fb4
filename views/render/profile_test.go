package render

import (
	"testing"

	"github.com/charmbracelet/colorprofile"
)

func TestProfileFromEnv(t *testing.T) {
	cases := []struct {
		env  []string
		tty  bool
		want colorprofile.Profile
	}{
		{[]string{"TERM=xterm-256color", "NO_COLOR=1"}, true, colorprofile.ASCII},
		{[]string{"TERM=xterm-256color", "NO_COLOR=yes"}, true, colorprofile.ASCII}, // any non-empty value
		{[]string{"TERM=dumb", "COLORTERM=truecolor"}, true, colorprofile.ASCII},
		{[]string{"TERM=dumb", "CLICOLOR_FORCE=1"}, true, colorprofile.ASCII},
		{[]string{"TERM=xterm-256color"}, true, colorprofile.ANSI256},
		{[]string{"TERM=xterm-256color", "COLORTERM=truecolor"}, true, colorprofile.TrueColor},
		{[]string{"TERM=xterm"}, true, colorprofile.ANSI},
		{[]string{"TERM=xterm-256color"}, false, colorprofile.ASCII},
		{[]string{"TERM=xterm-256color", "CLICOLOR_FORCE=1"}, false, colorprofile.ANSI256},
		{nil, true, colorprofile.ASCII},
		{[]string{"TERM=xterm-256color", "NO_COLOR=1", "NO_COLOR="}, true, colorprofile.ANSI256}, // the later wins
	}
	for _, tc := range cases {
		if got := ProfileFromEnv(tc.env, tc.tty); got != tc.want {
			t.Errorf("ProfileFromEnv(%q, %v) = %v, want %v", tc.env, tc.tty, got, tc.want)
		}
	}
}

// TestProfilesBelowANSIDrawASCII: what colorprofile.Detect gives for TERM=dumb (NoTTY) or an
// unset profile draws exactly as ASCII does.
func TestProfilesBelowANSIDrawASCII(t *testing.T) {
	m := chirpDB(32, 50)
	opt := HeatmapOptions{Width: 40, Height: 12, Axis: MelAxis(32, 0, 8000, false), SR: 16000, Hop: 160}
	opt.Profile = colorprofile.ASCII
	want := Heatmap(m, opt)
	for _, p := range []colorprofile.Profile{colorprofile.Unknown, colorprofile.NoTTY} {
		opt.Profile = p
		if got := Heatmap(m, opt); got != want {
			t.Errorf("profile %v draws differently from ASCII:\n%s", p, got)
		}
	}
}
