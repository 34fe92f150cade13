// Tern's model: one type and one validator per concept, shared by every input path.
//
// A `Workload`, an `IPPool`, a `Block`, a `NodeSpec` or a setting such as `RPFilter` is
// validated once, in its throwing initialiser, and the caller maps the `ModelError` to its
// own medium: the YAML loader to file:line:column (the error names the field), the control
// API to an error response, the CNI plugin to a CNI error. So `tern check`,
// `tern workload add` and the workload state file refuse the same input with the same
// words.
//
// Pure: imports IPCore only (no Foundation, no I/O). There is deliberately no type named
// `Model`, so `Model.Workload` names this module's type wherever another `Workload` exists.
