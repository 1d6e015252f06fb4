package inspector

import "charm.land/bubbles/v2/key"

// KeyMap holds the Inspector pane's keys.
type KeyMap struct {
	// Views.
	NextView, PrevView key.Binding
	Wave, Spectrogram  key.Binding
	Mel, MFCC, Chroma  key.Binding
	BeatSync           key.Binding
	// Cursor and time.
	Left, Right, Up, Down   key.Binding
	FastLeft, FastRight     key.Binding
	Start, End              key.Binding
	ZoomIn, ZoomOut, Reset  key.Binding
	ScrollLeft, ScrollRight key.Binding
	// Clips.
	NextClip, PrevClip key.Binding
	Side               key.Binding // A or B of a pair
	// Augmentation before/after, and a new draw.
	Augment, Reseed key.Binding
	// Parameters.
	FFTDown, FFTUp   key.Binding
	MelsDown, MelsUp key.Binding

	// Cursor only describes the arrows as one entry in the footer.
	Cursor key.Binding
}

// DefaultKeyMap returns the Inspector pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		NextView:    key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "next view")),
		PrevView:    key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "previous view")),
		Wave:        key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "waveform")),
		Spectrogram: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "spectrogram")),
		Mel:         key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mel spectrogram")),
		MFCC:        key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "MFCC")),
		Chroma:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "chromagram")),
		BeatSync:    key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "beat-sync on/off")),

		Left:        key.NewBinding(key.WithKeys("left"), key.WithHelp("left", "cursor back")),
		Right:       key.NewBinding(key.WithKeys("right"), key.WithHelp("right", "cursor on")),
		Up:          key.NewBinding(key.WithKeys("up"), key.WithHelp("up", "cursor up a bin")),
		Down:        key.NewBinding(key.WithKeys("down"), key.WithHelp("down", "cursor down a bin")),
		FastLeft:    key.NewBinding(key.WithKeys("shift+left", "H"), key.WithHelp("H", "cursor back 1/10")),
		FastRight:   key.NewBinding(key.WithKeys("shift+right", "L"), key.WithHelp("L", "cursor on 1/10")),
		Start:       key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "cursor to start")),
		End:         key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "cursor to end")),
		ZoomIn:      key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "zoom in")),
		ZoomOut:     key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "zoom out")),
		Reset:       key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "whole clip")),
		ScrollLeft:  key.NewBinding(key.WithKeys("pgup", ","), key.WithHelp("pgup/,", "scroll back")),
		ScrollRight: key.NewBinding(key.WithKeys("pgdown", "."), key.WithHelp("pgdn/.", "scroll on")),

		NextClip: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next clip")),
		PrevClip: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous clip")),
		Side:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "pair: A/B clip")),
		Augment:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "augment on/off")),
		Reseed:   key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "new augment draw")),

		FFTDown:  key.NewBinding(key.WithKeys("["), key.WithHelp("[", "smaller n_fft")),
		FFTUp:    key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "larger n_fft")),
		MelsDown: key.NewBinding(key.WithKeys("{"), key.WithHelp("{", "fewer mels")),
		MelsUp:   key.NewBinding(key.WithKeys("}"), key.WithHelp("}", "more mels")),

		Cursor: key.NewBinding(key.WithKeys("left", "right", "up", "down"), key.WithHelp("arrows", "cursor")),
	}
}
