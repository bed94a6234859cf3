"""File formats: model files (safetensors with JSON metadata), ONNX export, and safe writing of any output."""
