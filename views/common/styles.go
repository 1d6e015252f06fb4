package common

import (
	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
)

// Styles are every style and glyph the panes draw with, built for one colour profile.
// Over SSH each session builds its own from its own profile, never from global defaults.
type Styles struct {
	// ASCII is set for profiles without colour (NO_COLOR, TERM=dumb, not a terminal): every
	// style is then plain and the glyphs below are ASCII, so the output has no escapes at all.
	ASCII bool

	Brand       lipgloss.Style // "hark" in the tab bar
	TabActive   lipgloss.Style
	TabInactive lipgloss.Style
	Title       lipgloss.Style // a pane's headings
	Subtle      lipgloss.Style // secondary text
	Label       lipgloss.Style // "layout", "items": names of values
	Error       lipgloss.Style
	Warning     lipgloss.Style
	Header      lipgloss.Style // table headers
	Selected    lipgloss.Style // the list row under the cursor
	Bar         lipgloss.Style // bar chart bars
	HelpKey     lipgloss.Style
	HelpDesc    lipgloss.Style
	HelpSep     lipgloss.Style

	// Glyphs.
	Pointer   string   // marks the selected row
	BarFull   string   // one full cell of a bar
	BarEighth []string // partial cells, 1/8 to 7/8; empty in ASCII (bars round to whole cells)
	Ellipsis  string
	Sep       string // between short help items and status fields
	Rule      string // a horizontal rule cell
}

// DefaultStyles returns the styles for profile. Profiles below ANSI (Unknown, NoTTY, ASCII)
// give plain ASCII output, the same rule the renderers of views/render follow.
func DefaultStyles(profile colorprofile.Profile) Styles {
	if profile < colorprofile.ANSI {
		plain := lipgloss.NewStyle()
		return Styles{
			ASCII: true,
			Brand: plain, TabActive: plain, TabInactive: plain, Title: plain, Subtle: plain,
			Label: plain, Error: plain, Warning: plain, Header: plain, Selected: plain, Bar: plain,
			HelpKey: plain, HelpDesc: plain, HelpSep: plain,
			Pointer: "> ", BarFull: "#", Ellipsis: "...", Sep: " | ", Rule: "-",
		}
	}
	// Indexed ANSI colours follow the user's terminal theme, light or dark, and survive
	// downsampling to 16 colours unchanged.
	accent := lipgloss.ANSIColor(4)  // blue
	accent2 := lipgloss.ANSIColor(6) // cyan
	dim := lipgloss.ANSIColor(8)     // bright black
	return Styles{
		Brand:       lipgloss.NewStyle().Bold(true).Foreground(accent2),
		TabActive:   lipgloss.NewStyle().Bold(true).Reverse(true),
		TabInactive: lipgloss.NewStyle().Foreground(dim),
		Title:       lipgloss.NewStyle().Bold(true),
		Subtle:      lipgloss.NewStyle().Foreground(dim),
		Label:       lipgloss.NewStyle().Foreground(accent),
		Error:       lipgloss.NewStyle().Foreground(lipgloss.ANSIColor(1)),
		Warning:     lipgloss.NewStyle().Foreground(lipgloss.ANSIColor(3)),
		Header:      lipgloss.NewStyle().Bold(true).Underline(true),
		Selected:    lipgloss.NewStyle().Reverse(true),
		Bar:         lipgloss.NewStyle().Foreground(accent2),
		HelpKey:     lipgloss.NewStyle().Bold(true),
		HelpDesc:    lipgloss.NewStyle().Foreground(dim),
		HelpSep:     lipgloss.NewStyle().Foreground(dim),
		Pointer:     "> ",
		BarFull:     "█",
		BarEighth:   []string{"▏", "▎", "▍", "▌", "▋", "▊", "▉"},
		Ellipsis:    "…",
		Sep:         " • ",
		Rule:        "─",
	}
}

// Help returns a help model drawn with these styles and glyphs.
func (s Styles) Help() help.Model {
	h := help.New()
	h.ShortSeparator = s.Sep
	h.Ellipsis = s.Ellipsis
	h.Styles = help.Styles{
		Ellipsis: s.HelpSep, ShortKey: s.HelpKey, ShortDesc: s.HelpDesc, ShortSeparator: s.HelpSep,
		FullKey: s.HelpKey, FullDesc: s.HelpDesc, FullSeparator: s.HelpSep,
	}
	return h
}
