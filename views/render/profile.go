package render

import (
	"image/color"
	"strconv"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// ProfileFromEnv picks the colour profile for output described by environ (os.Environ()'s
// "KEY=value" form; a later entry wins) going to a terminal when isTTY is true.
//
// It gives colorprofile.ASCII, which the renderers draw in plain ASCII, when NO_COLOR is set to
// anything non-empty (https://no-color.org), when TERM is "dumb", and when the output is not a
// terminal unless CLICOLOR_FORCE is set to a true value. Otherwise it gives colorprofile.Env's
// answer from TERM and COLORTERM (TrueColor, ANSI256 or ANSI), never less than ASCII. It reads no
// terminfo database and runs nothing, so the same environment always gives the same profile.
//
// Callers may instead pass colorprofile.Detect(os.Stdout, os.Environ()) or a profile that Bubble
// Tea reports; the renderers treat every profile below ANSI (Unknown, NoTTY, ASCII) as ASCII.
func ProfileFromEnv(environ []string, isTTY bool) colorprofile.Profile {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	if env["NO_COLOR"] != "" || env["TERM"] == "dumb" {
		return colorprofile.ASCII
	}
	if forced, _ := strconv.ParseBool(env["CLICOLOR_FORCE"]); !isTTY && !forced {
		return colorprofile.ASCII
	}
	return max(colorprofile.Env(environ), colorprofile.ASCII)
}

// colorful reports whether p draws with colour; below ANSI the renderers use plain ASCII.
func colorful(p colorprofile.Profile) bool { return p >= colorprofile.ANSI }

// Levels of the colour map that a value is quantised to; level cursorLevel is the cursor.
const (
	levels      = 256
	cursorLevel = levels
	noLevel     = -1 // a missing value (NaN, or no data): drawn in the terminal's background
)

// palette holds the escape sequences of the quantised colour map in one profile, built once
// per render so that the inner loops only copy strings.
type palette struct {
	fg, bg [levels + 1]string
	// id maps a level to the lowest level with the same escape: in 256 or 16 colours many
	// neighbouring levels share one, and comparing ids avoids repeating an escape.
	id [levels + 1]int16
}

func newPalette(p colorprofile.Profile, cm ColorMap) *palette {
	pal := &palette{}
	seen := make(map[string]int16, levels+1)
	for l := range levels + 1 {
		var c color.Color
		switch {
		case l == cursorLevel:
			c = p.Convert(cm.cursorRGB())
		case p == colorprofile.ANSI:
			ramp := cm.ansi16()
			c = ramp[l*len(ramp)/levels]
		default:
			c = p.Convert(cm.RGB(float64(l) / (levels - 1)))
		}
		pal.fg[l] = ansi.NewStyle().ForegroundColor(c).String()
		pal.bg[l] = ansi.NewStyle().BackgroundColor(c).String()
		if first, ok := seen[pal.fg[l]]; ok {
			pal.id[l] = first
		} else {
			seen[pal.fg[l]] = int16(l)
			pal.id[l] = int16(l)
		}
	}
	return pal
}

// chrome is what surrounds the plot: axis glyphs and the escapes of titles, labels and marks.
// In ASCII every escape is empty and every glyph is ASCII.
type chrome struct {
	ascii                                        bool
	title, text, axis, beat, cursor, reset       string
	vline, vtick, corner, hline, htick, beatMark string
	cursorMark, ellipsis                         string
}

func newChrome(p colorprofile.Profile, cm ColorMap) chrome {
	if !colorful(p) {
		return chrome{
			ascii: true,
			vline: "|", vtick: "+", corner: "+", hline: "-", htick: "+",
			beatMark: "^", cursorMark: "*", ellipsis: "...",
		}
	}
	fg := func(c color.Color) string { return ansi.NewStyle().ForegroundColor(c).String() }
	text, axis, beat := color.Color(ansi.White), color.Color(ansi.BrightBlack), color.Color(ansi.BrightYellow)
	if p > colorprofile.ANSI {
		text = p.Convert(color.RGBA{R: 0xb4, G: 0xb4, B: 0xb4, A: 0xff})
		axis = p.Convert(color.RGBA{R: 0x6c, G: 0x6c, B: 0x6c, A: 0xff})
		beat = p.Convert(color.RGBA{R: 0xff, G: 0xb0, B: 0x00, A: 0xff})
	}
	return chrome{
		title:  ansi.NewStyle().Bold().String(),
		text:   fg(text),
		axis:   fg(axis),
		beat:   fg(beat),
		cursor: fg(p.Convert(cm.cursorRGB())),
		reset:  ansi.ResetStyle,
		vline:  "│", vtick: "┤", corner: "└", hline: "─", htick: "┬",
		beatMark: "▲", cursorMark: "◆", ellipsis: "…",
	}
}

// styled writes text in the given style, closing it so that no style leaks past the text.
func (c *chrome) styled(b *strings.Builder, style, text string) {
	if style == "" || text == "" {
		b.WriteString(text)
		return
	}
	b.WriteString(style)
	b.WriteString(text)
	b.WriteString(c.reset)
}
