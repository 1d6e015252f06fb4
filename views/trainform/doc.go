// Package trainform is the workbench's Train pane: a form that builds a train.RunSpec (dataset,
// split, features, model, optimisation, seed), with the seed systems' settings as one-key
// recipes, and queues runs on the engine.
package trainform
