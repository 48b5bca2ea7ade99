// The networks, for the public surface (lib/index.ts: `sc.models`); code inside lib imports the files themselves.
export * from "./arch"; // the architectures by name (resnet18, vgg19_bn)
export * from "./dual"; // the paper's dual-backbone model
export * from "./saved"; // model files (safetensors + metadata)
export * from "./weights"; // torchvision state dicts
export * from "./safetensors"; // the safetensors format
export * from "./init"; // parameters and their initialisation
export * from "./layers"; // conv, batch norm, linear, pooling as PyTorch computes them
export * from "./loss"; // cross-entropy and gradients
// resnet.ts also has `forward`, an alias of resnet18Forward for its tests: not a name for the public surface.
export {
  RESNET_FEATURES,
  resnet18,
  resnet18Forward,
  resnet18Specs,
  resnetConfigs,
  resnetForward,
  resnetSpecs,
} from "./resnet";
export * from "./vgg";
