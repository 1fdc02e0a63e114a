// The storage vocabulary (errors, poll results, the protocols) comes with the backend.
@_exported import ObjectStorage
