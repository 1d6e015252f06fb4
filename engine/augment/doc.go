// Package augment perturbs training clips and their features reproducibly: background noise
// mixed in at a random level, a random time shift, a random gain, and SpecAugment time and
// frequency masks, every draw taken from a seeded generator.
//
// The wave-level steps follow the Speech Commands recipe (TensorFlow's input_data.py): the clip
// is shifted with zero fill and scaled by a random gain, then, with probability NoiseProb, a
// random stretch of a random noise clip is added at a volume drawn uniformly from [0, NoiseMax],
// and the sum is clipped to [-1, 1]. Masks follow SpecAugment (Park et al., 2019): each mask's
// width is drawn uniformly from [0, width] and its start uniformly among the positions where it
// fits.
//
// Same Config, same input and same generator state give the same output, bit for bit. A run's
// spec stores a Config as it is (engine/train.AugmentSpec is this type).
package augment
