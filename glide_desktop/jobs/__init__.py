"""The bridge between the GUI and the engine: QThread worker, job queue, model downloads."""
