// Package train runs training jobs: a RunSpec (plain data) in, a stream of typed events and a
// Result out. It turns a dataset catalog into feature tensors, builds the model, runs the
// training loop with schedules, early stopping and checkpoints, and evaluates the result with
// engine/eval. Every random choice is drawn from RunSpec.Seed.
//
// # A run
//
// Start checks the spec at once (Resolve: errors name the field and the value) and then, in the
// run's goroutine:
//
//   - opens the dataset (engine/dataset) and computes its Fingerprint: a SHA-256 over the items
//     in ID order (ID, label, group, subset, targets, segment span) with the size and SHA-256 of
//     every file's contents, then the pairs; contents rather than modification times, so a
//     copied dataset keeps its fingerprint and an edited file changes it;
//   - splits it (RunSpec.Split; "" is the dataset's own lists, else a seeded stratified
//     80/10/10) and, when the split has no validation part, holds out a seeded, stratified
//     tenth of the training clips; a clip's segments always stay together; a group split of
//     a pair list (LFW's "80/20 by person") splits the people, keeping together everyone a
//     chain of pairs joins, so that no pair is lost (only a component too large to place whole
//     is split by person, and its pairs across parts are left out and reported);
//   - computes the features of every item (Options.Extract, a cache, for whole audio files;
//     segments are cut from each file decoded once; images are decoded with the standard
//     library, converted to grayscale and resized by area averaging; .npy files are read as
//     they are). A file that cannot be used is reported (RunStarted.Problems, Result.Problems)
//     and its examples are left out; the run goes on;
//   - lays every feature out as time steps x bins ("image": 1 x frames x bins; "sequence":
//     frames x bins, with the valid lengths passed to recurrent layers), standardises it with
//     statistics of the training split only, and pads it with zeros or crops it to Frames;
//     regression targets are standardised with the training split's mean and deviation too
//     (saved with the model), and predictions and metrics are reported in the targets' units;
//   - builds the model (a preset, a spec, or a saved model to fine-tune, whose heads are
//     replaced when the task needs others): a softmax head for classification, linear heads for
//     regression (one per target, or one named head per target for multitask models), a
//     siamese model with a sigmoid head for pairs;
//   - with background noise or gain (RunSpec.Augment), computes every epoch the features of
//     the training clips perturbed by engine/augment.Wave (noise from the catalog's noise
//     files, gain, and then the time shift too), item i of epoch e drawing from its own
//     generator, so that the result does not depend on the order or the number of workers;
//     shift alone moves the frames, and SpecAugment masks apply to the batch;
//   - trains: each epoch in a seeded order, batch after batch with the scheduled learning rate
//     (plateau or step), BatchDone at most about ten times a second; after each epoch the model
//     is measured on the validation split (loss and the task metric: accuracy, mean Spearman,
//     ROC AUC) and on a fixed sample of at most 512 training examples, both in inference mode,
//     and EpochDone reports it; early stopping restores the best epoch's weights;
//   - writes checkpoints into Options.Dir every CheckpointEvery epochs (and after the last):
//     the model with its optimizer state and the best model, then StateFile, each atomically;
//     Resume continues from the last one and ends with the same numbers, bit for bit, as a run
//     that was never interrupted;
//   - evaluates the best model on the test split (the validation split when there is none):
//     the classification report with its accuracy and average rows, the confusion matrix, the
//     predictions and the class probabilities of every item, votes of segments per clip
//     (clip_accuracy), regression correlations, and for pairs the AUC, the equal error rate
//     and the decisions at the threshold of the validation pairs' equal-error point; saves it
//     as Options.Dir/ModelFile with its classes, feature spec and normalisation; sends
//     EvalDone.
//
// Evaluate scores a saved model again through the same pipeline (the run's spec, or another
// dataset or split), reproducing the run's numbers bit for bit; Fingerprint tells whether a
// dataset changed since a run; Recipes are the seed systems' specs, shared by the command line
// and the workbench.
//
// Run.Stop cancels between batches; a stopped run still evaluates and saves its best model and
// ends with RunFinished.Stopped. Two runs of one spec on one binary report the same losses and
// metrics bit for bit, whatever the number of threads; only times and throughputs differ.
package train
