package serve

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
)

// ErrReadOnly is wrapped by every refusal to change the runs from a read-only session.
var ErrReadOnly = errors.New("this SSH key is read-only: it may watch and inspect runs, not start or stop them")

// Access is what one SSH user may do.
type Access int

// Access levels.
const (
	// Full may open the served datasets and start and stop runs.
	Full Access = iota
	// ReadOnly may open the served datasets and watch runs, not start or stop them.
	ReadOnly
)

func (a Access) String() string {
	if a == ReadOnly {
		return "read-only"
	}
	return "full"
}

// UserEngine is the engine as one SSH user sees it: the shared hub and the real dataset and
// feature code, behind the user's access level and the served folders. Every path it is given
// is resolved (symbolic links and "..") and refused outside the roots.
type UserEngine struct {
	Hub    *engine.Hub
	Roots  *Roots
	Access Access
	// Owner names the user in the run list.
	Owner string
	// Base is the engine the calls go to once allowed (common.DefaultEngine's functions when
	// nil).
	Base common.Engine
	// DemoDir is the built-in demo dataset's folder when it is served, "" otherwise.
	DemoDir string
}

func (u *UserEngine) base() common.Engine {
	b := u.Base
	d := common.DefaultEngine()
	if b.Open == nil {
		b.Open = d.Open
	}
	if b.Extract == nil {
		b.Extract = d.Extract
	}
	return b
}

// Open scans a dataset inside the roots, and refuses the catalog when any of its files lies
// outside them (a link in the folder, a manifest naming an absolute path).
func (u *UserEngine) Open(spec dataset.Spec) (*dataset.Catalog, error) {
	s, err := u.Roots.Spec(spec)
	if err != nil {
		return nil, err
	}
	cat, err := u.base().Open(s)
	if err != nil {
		return cat, err
	}
	if err := u.Roots.Catalog(cat); err != nil {
		return nil, err
	}
	return cat, nil
}

// Extract computes a feature of a file inside the roots.
func (u *UserEngine) Extract(path string, cfg extract.Config) (*extract.Result, error) {
	p, err := u.Roots.Resolve(path)
	if err != nil {
		return nil, err
	}
	return u.base().Extract(p, cfg)
}

// Demo returns the demo dataset's folder when the server serves it.
func (u *UserEngine) Demo() (string, error) {
	if u.DemoDir == "" {
		return "", errors.New("this server does not serve the demo dataset")
	}
	return u.DemoDir, nil
}

// Start queues a run on the shared hub, owned by this user; read-only users are refused, and so
// is a spec that reads outside the roots.
func (u *UserEngine) Start(spec train.RunSpec) (string, error) {
	if u.Access == ReadOnly {
		return "", fmt.Errorf("start run: %w", ErrReadOnly)
	}
	s, err := u.confineRun(spec)
	if err != nil {
		return "", fmt.Errorf("start run: %w", err)
	}
	return u.Hub.Start(s, u.Owner)
}

func (u *UserEngine) confineRun(spec train.RunSpec) (train.RunSpec, error) {
	ds, err := u.Roots.Spec(spec.Dataset.Spec)
	if err != nil {
		return spec, err
	}
	spec.Dataset.Spec = ds
	if spec.Model.From != "" {
		p := spec.Model.From
		if !filepath.IsAbs(p) {
			p = filepath.Join(ds.Root, p)
		}
		from, err := u.Roots.Resolve(p)
		if err != nil {
			return spec, fmt.Errorf("model %w", err)
		}
		spec.Model.From = from
	}
	return spec, nil
}

// Stop stops or cancels a run; read-only users are refused.
func (u *UserEngine) Stop(id string) error {
	if u.Access == ReadOnly {
		return fmt.Errorf("stop %s: %w", id, ErrReadOnly)
	}
	return u.Hub.Stop(id)
}

// Runs lists the hub's runs: everyone's.
func (u *UserEngine) Runs() []engine.RunInfo { return u.Hub.Runs() }

// History returns a run's events so far.
func (u *UserEngine) History(id string) ([]train.Event, error) { return u.Hub.History(id) }

// Watch follows every run's events until ctx ends or the returned function is called.
func (u *UserEngine) Watch(ctx context.Context) (<-chan train.Event, func()) {
	return u.Hub.Watch(ctx)
}

// Engine returns the functions the workbench's panes call.
func (u *UserEngine) Engine() common.Engine {
	return common.Engine{
		Open:    u.Open,
		Extract: u.Extract,
		Demo:    u.Demo,
		Start:   u.Start,
		Stop:    u.Stop,
		Runs:    u.Runs,
		History: u.History,
		Watch:   u.Watch,
	}
}
