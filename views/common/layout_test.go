package common

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

func ExampleFit() {
	fmt.Printf("%q\n", Fit("a long first line\nb", 6, 3))
	// Output:
	// "a long\nb     \n      "
}

func ExampleStyles_BarOf() {
	st := DefaultStyles(colorprofile.ASCII)
	for _, n := range []int{24, 12, 3, 0} {
		fmt.Printf("%2d |%s|\n", n, st.BarOf(float64(n)/24, 8))
	}
	// Output:
	// 24 |########|
	// 12 |####    |
	//  3 |#       |
	//  0 |        |
}

func TestFitKeepsEscapesBalanced(t *testing.T) {
	st := DefaultStyles(colorprofile.TrueColor)
	s := st.Error.Render("a red line that is too long") + "\nshort"
	got := Fit(s, 10, 2)
	lines := strings.Split(got, "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 10 {
			t.Errorf("line %d is %d wide: %q", i, w, l)
		}
	}
	if !strings.Contains(lines[0], "\x1b[m") && !strings.Contains(lines[0], "\x1b[0m") {
		t.Errorf("the cut line does not close its style: %q", lines[0])
	}
	if Fit("x", 0, 3) != "" || Fit("x", 3, 0) != "" {
		t.Error("an empty box is not empty")
	}
}

func TestCutAndSpread(t *testing.T) {
	for _, c := range []struct{ in, tail, want string }{
		{"hello", "...", "hello"}, {"hello world", "...", "hello..."}, {"hello world", "~", "hello w~"},
		{"hello world", "........", "hello wo"},
	} {
		if got := Cut(c.in, 8, c.tail); got != c.want {
			t.Errorf("Cut(%q, 8, %q) = %q, want %q", c.in, c.tail, got, c.want)
		}
	}
	for _, c := range []struct{ l, r, want string }{
		{"left", "right", "left      right"}, {"a very long left side", "r", "a very long l r"},
		{"left", "a right side too long", "left           "},
	} {
		if got := Spread(c.l, c.r, 15); got != c.want {
			t.Errorf("Spread(%q, %q, 15) = %q, want %q", c.l, c.r, got, c.want)
		}
	}
}

func TestBarEighths(t *testing.T) {
	st := DefaultStyles(colorprofile.TrueColor)
	got := ansi.Strip(st.BarOf(0.5+1.0/16, 4))
	if got != "██▎ " {
		t.Errorf("bar of 0.5625 in 4 cells = %q, want 2 full cells and 2/8 (2.25 cells)", got)
	}
	for _, f := range []float64{-1, 0, 0.3, 1, 2} {
		if w := ansi.StringWidth(st.BarOf(f, 7)); w != 7 {
			t.Errorf("bar of %g is %d cells wide", f, w)
		}
	}
}

// TestPlainStyles checks that the profiles without colour style nothing, so that NO_COLOR and
// TERM=dumb output has no escapes, and that the colour ones do style.
func TestPlainStyles(t *testing.T) {
	for _, p := range []colorprofile.Profile{colorprofile.Unknown, colorprofile.NoTTY, colorprofile.ASCII} {
		st := DefaultStyles(p)
		if !st.ASCII {
			t.Errorf("%v: not ASCII", p)
		}
		for _, s := range []string{st.Title.Render("x"), st.Selected.Render("x"), st.BarOf(0.5, 4), st.Help().ShortHelpView(DefaultKeyMap().ShortHelp())} {
			if strings.ContainsAny(s, "\x1b█…•") {
				t.Errorf("%v: styled output %q", p, s)
			}
		}
	}
	for _, p := range []colorprofile.Profile{colorprofile.ANSI, colorprofile.ANSI256, colorprofile.TrueColor} {
		if st := DefaultStyles(p); st.ASCII || !strings.Contains(st.Title.Render("x"), "\x1b[") {
			t.Errorf("%v: no styling", p)
		}
	}
}
