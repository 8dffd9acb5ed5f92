//! A small element tree over `quick-xml` events, enough for the query-protocol
//! replies of STS, EC2 and IAM: element local names (namespaces dropped),
//! text with entity and character references resolved, children in order.
//! Attributes are ignored (these replies carry none that matter).

use quick_xml::events::Event;
use quick_xml::Reader;

const MAX_DEPTH: usize = 64;
const MAX_ELEMENTS: usize = 500_000;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn path(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |e, name| e.child(name))
    }

    /// Trimmed text at `path`, `None` when absent or empty.
    pub fn text_at(&self, path: &[&str]) -> Option<String> {
        let t = self.path(path)?.text.trim();
        (!t.is_empty()).then(|| t.to_owned())
    }

    /// The first descendant (depth-first) named `name`, self included.
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }
}

/// Parses a document and returns its root element.
pub(crate) fn parse(input: &[u8]) -> Result<Element, String> {
    let mut reader = Reader::from_reader(input);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() && stack.is_empty() => {
                return Err("more than one root element".into());
            }
            Event::Start(e) => {
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err("XML nested too deep or too large".into());
                }
                stack.push(Element {
                    name: e.local_name().as_ref().to_owned(),
                    ..Element::default()
                });
            }
            Event::Empty(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err("XML too large".into());
                }
                let el = Element {
                    name: e.local_name().as_ref().to_owned(),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err("more than one root element".into()),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or("unbalanced end tag")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(cur) = stack.last_mut() {
                    cur.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(cur) = stack.last_mut() {
                    cur.text.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let Some(cur) = stack.last_mut() else {
                    continue;
                };
                if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(ch)) => cur.text.push(ch),
                        _ => return Err("bad character reference".into()),
                    }
                } else {
                    let name = r.xml10_content();
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => cur.text.push_str(s),
                        None => return Err(format!("unknown entity `&{name};`")),
                    }
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("document ends inside an element".into());
    }
    root.ok_or_else(|| "no root element".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_query_reply() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::123456789012:assumed-role/R&amp;D/s</Arn>
    <UserId>AROA&#x41;:s</UserId>
    <Account><![CDATA[123456789012]]></Account>
    <Empty/>
  </GetCallerIdentityResult>
  <!-- c -->
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "GetCallerIdentityResponse");
        let r = root.child("GetCallerIdentityResult").unwrap();
        assert_eq!(
            r.text_at(&["Arn"]).unwrap(),
            "arn:aws:sts::123456789012:assumed-role/R&D/s"
        );
        assert_eq!(r.text_at(&["UserId"]).unwrap(), "AROAA:s");
        assert_eq!(r.text_at(&["Account"]).unwrap(), "123456789012");
        assert_eq!(r.text_at(&["Empty"]), None);
        assert_eq!(root.find("RequestId").unwrap().text, "r-1");
    }

    #[test]
    fn rejects_malformed_documents() {
        assert!(parse(b"<a><b></a>").is_err());
        assert!(parse(b"<a>").is_err());
        assert!(parse(b"").is_err());
        assert!(parse(b"<a/><b/>").is_err());
        assert!(parse(b"<a>&bogus;</a>").is_err());
        assert!(parse("<a>".repeat(100).as_bytes()).is_err());
        assert!(parse(b"not xml at all").is_err());
    }
}
