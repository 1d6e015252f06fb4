package common

import (
	"context"
	"log/slog"

	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/augment"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/demo"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
)

// Common is what the root hands every pane, by pointer: the same styles, keys, logger and
// engine for all of them. The root owns it; panes read it and never replace its fields.
type Common struct {
	// Ctx is cancelled when the workbench quits; long commands should honour it.
	Ctx context.Context
	// Profile is the colour profile of the terminal the workbench draws on (a session's own
	// profile over SSH). Styles was built for it.
	Profile colorprofile.Profile
	Styles  Styles
	// Keys are the root's global keys; panes read them to stay clear of them.
	Keys KeyMap
	// Logger writes to the --debug log file, or nowhere.
	Logger *slog.Logger
	// Width and Height are the whole terminal's size.
	Width, Height int
	// Engine is how panes reach the headless engine.
	Engine Engine
	// ReadOnly forbids starting and stopping runs (an SSH session with a read-only key): the
	// panes still show them, and say so (ReadOnlyMessage) when asked to change them.
	ReadOnly bool
}

// NewCommon returns a Common for the given profile with default keys, a logger that discards
// everything and the real engine. A nil ctx means context.Background().
func NewCommon(ctx context.Context, profile colorprofile.Profile) *Common {
	if ctx == nil {
		ctx = context.Background()
	}
	return &Common{
		Ctx:     ctx,
		Profile: profile,
		Styles:  DefaultStyles(profile),
		Keys:    DefaultKeyMap(),
		Logger:  slog.New(slog.DiscardHandler),
		Engine:  DefaultEngine(),
	}
}

// SetProfile changes the colour profile and rebuilds the styles for it (Bubble Tea reports
// the terminal's profile once the program starts).
func (c *Common) SetProfile(p colorprofile.Profile) {
	c.Profile = p
	c.Styles = DefaultStyles(p)
}

// Engine gathers the engine calls the panes make, so that tests and the SSH server can supply
// their own. Every function may be slow and is only ever called from a tea.Cmd.
type Engine struct {
	// Open scans a dataset folder.
	Open func(spec dataset.Spec) (*dataset.Catalog, error)
	// Extract computes one feature of one file.
	Extract func(path string, cfg extract.Config) (*extract.Result, error)
	// Demo returns the folder of the built-in demo dataset, generating it on first use.
	Demo func() (string, error)
	// Split divides a catalog into train, validation and test parts (or folds).
	Split func(cat *dataset.Catalog, spec dataset.SplitSpec) (dataset.Splits, error)
	// Augment computes one clip's features before and after augmentation (augment.Preview).
	Augment func(path string, cfg extract.Config, aug augment.Config, seed uint64, noise []string) (*augment.Comparison, error)

	// The run calls (see HubEngine); nil when the engine cannot train.
	Start   func(spec train.RunSpec) (string, error)
	Stop    func(id string) error
	Runs    func() []engine.RunInfo
	History func(id string) ([]train.Event, error)
	Watch   func(ctx context.Context) (<-chan train.Event, func())
}

// DefaultEngine is the real engine: dataset.Open, a fresh extract.Extractor per call, and the
// demo dataset cached in the user cache directory.
func DefaultEngine() Engine {
	return Engine{
		Open:    dataset.Open,
		Extract: extractFile,
		Demo:    func() (string, error) { return demo.Cached(demo.Options{}) },
		Split:   dataset.Split,
		Augment: augment.Preview,
	}
}

// extractFile builds its own Extractor because extractors are not safe for concurrent use and
// commands run concurrently; building one costs far less than decoding a clip.
func extractFile(path string, cfg extract.Config) (*extract.Result, error) {
	ex, err := extract.NewExtractor(cfg)
	if err != nil {
		return nil, err
	}
	return ex.File(path)
}
