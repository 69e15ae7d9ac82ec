//! Entry point of the wasm bundle: mounts the workbench on `<body>`.

fn main() {
    yew::Renderer::<grantlab_frontend::App>::new().render();
}
