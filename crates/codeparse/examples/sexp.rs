//! Prints the syntax tree of a file: `cargo run -p codeparse --example sexp -- FILE`.

fn main() {
    let path = std::env::args().nth(1).expect("usage: sexp FILE");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let lang =
        codeparse::Lang::of_path(std::path::Path::new(&path)).expect("a .ts/.tsx/.js/.py file");
    let parsed = codeparse::parse(lang, &text).expect("parsed");
    println!("{}", parsed.root().to_sexp());
}
