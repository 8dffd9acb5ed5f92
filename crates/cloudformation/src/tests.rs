use super::*;

fn read(text: &str) -> Template {
    read_with(text, &Options::default())
}

fn read_with(text: &str, options: &Options) -> Template {
    parse(text, Path::new("t.yaml"), options)
        .expect("template")
        .expect("a template")
}

fn props<'a>(t: &'a Template, id: &str) -> &'a Node {
    t.resource(id).unwrap().properties.as_ref().unwrap()
}

#[test]
fn short_forms_are_read_as_their_long_form_with_positions() {
    let t = read(
        "AWSTemplateFormatVersion: '2010-09-09'\n\
         Parameters:\n  Cpu:\n    Type: Number\n    Default: 256\n\
         Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Cpu: !Ref Cpu\n      Family: !Sub '${AWS::StackName}-web'\n      TaskRoleArn: !GetAtt Role.Arn\n      Memory: '512'\n",
    );
    let task = props(&t, "Task");
    let cpu = task.get("Cpu").unwrap();
    assert_eq!(cpu.value, Value::Number(256.0));
    // The value is the parameter's default, where a fix edits it.
    assert_eq!((cpu.position.line, cpu.position.column), (5, 14));
    assert_eq!(
        task.get("TaskRoleArn").unwrap().value,
        Value::Unresolved("Fn::GetAtt Role.Arn".into())
    );
    assert_eq!(
        task.get("Family").unwrap().value,
        Value::Unresolved("Fn::Sub ${AWS::StackName}-web".into())
    );
    assert_eq!(task.get("Memory").unwrap().as_str(), Some("512"));
    let texts: Vec<&str> = t.unresolved.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        texts,
        ["Fn::Sub ${AWS::StackName}-web", "Fn::GetAtt Role.Arn"]
    );
    let r = t.resource("Task").unwrap();
    assert_eq!((r.position.line, r.position.column), (7, 3));
}

#[test]
fn json_templates_read_the_same() {
    let t = parse(
        "{\"Parameters\": {\"Mem\": {\"Type\": \"String\", \"Default\": \"1024\"}},\n \"Resources\": {\"Task\": {\"Type\": \"AWS::ECS::TaskDefinition\",\n  \"Properties\": {\"Memory\": {\"Ref\": \"Mem\"}, \"Cpu\": 256}}}}",
        Path::new("t.json"),
        &Options::default(),
    )
    .unwrap()
    .unwrap();
    let task = props(&t, "Task");
    assert_eq!(task.get("Memory").unwrap().as_str(), Some("1024"));
    // Where the parameter's default is written.
    assert_eq!(task.get("Memory").unwrap().position.line, 1);
    assert_eq!(task.get("Cpu").unwrap().value, Value::Number(256.0));
}

#[test]
fn sub_join_select_find_in_map_and_novalue() {
    let mut options = Options::default();
    options
        .pseudo
        .insert("AWS::Region".into(), "eu-west-1".into());
    options.parameters.insert("Env".into(), "prod".into());
    let t = read_with(
        "Parameters:\n  Env: {Type: String, Default: dev}\n\
         Mappings:\n  Sizes:\n    prod: {Cpu: 1024}\n    dev: {Cpu: 256}\n\
         Resources:\n  R:\n    Type: AWS::X::Y\n    Properties:\n\
         \x20     A: !Sub 'logs-${Env}-${AWS::Region}-${!Literal}'\n\
         \x20     B: !Join ['-', [a, !Ref Env, 3]]\n\
         \x20     C: !Select [1, [x, y, z]]\n\
         \x20     D: !FindInMap [Sizes, !Ref Env, Cpu]\n\
         \x20     E: !Ref AWS::NoValue\n\
         \x20     F: !Sub ['${Name}:${Tag}', {Name: app, Tag: !Ref Env}]\n",
        &options,
    );
    let r = props(&t, "R");
    assert_eq!(
        r.get("A").unwrap().as_str(),
        Some("logs-prod-eu-west-1-${Literal}")
    );
    assert_eq!(r.get("B").unwrap().as_str(), Some("a-prod-3"));
    assert_eq!(r.get("C").unwrap().as_str(), Some("y"));
    assert_eq!(r.get("D").unwrap().value, Value::Number(1024.0));
    assert!(r.get("E").is_none());
    assert_eq!(r.get("F").unwrap().as_str(), Some("app:prod"));
    assert!(t.unresolved.is_empty(), "{:?}", t.unresolved);
}

#[test]
fn conditions_choose_branches_and_resources() {
    let t = read(
        "Parameters:\n  Arm: {Type: String, Default: 'yes'}\n  Stage: {Type: String}\n\
         Conditions:\n  IsArm: !Equals [!Ref Arm, 'yes']\n  NotArm: !Not [!Condition IsArm]\n\
         \x20 Both: !And [!Condition IsArm, !Equals [!Ref Stage, prod]]\n\
         \x20 Either: !Or [!Condition IsArm, !Equals [!Ref Stage, prod]]\n\
         Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n\
         \x20     Arch: !If [IsArm, ARM64, X86_64]\n      Unknown: !If [Both, a, b]\n      Known: !If [Either, a, b]\n\
         \x20 Other:\n    Type: AWS::X::Y\n    Condition: NotArm\n",
    );
    let task = props(&t, "Task");
    assert_eq!(task.get("Arch").unwrap().as_str(), Some("ARM64"));
    assert_eq!(
        task.get("Unknown").unwrap().value,
        Value::Unresolved("Fn::If Both".into())
    );
    assert_eq!(task.get("Known").unwrap().as_str(), Some("a"));
    assert_eq!(t.resource("Other").unwrap().created, Some(false));
    assert_eq!(t.resource("Task").unwrap().created, None);
}

#[test]
fn sam_transforms_and_non_templates() {
    let t = read("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n");
    assert_eq!(t.transforms, ["AWS::Serverless-2016-10-31"]);
    assert!(t.resource("Fn").unwrap().properties.is_none());
    let none = parse(
        "services:\n  web: {image: x}\n",
        Path::new("c.yaml"),
        &Options::default(),
    );
    assert!(none.unwrap().is_none());
    assert!(!is_template("services:\n  web:\n"));
    assert!(is_template("Resources:\n  X:\n    Type: AWS::S3::Bucket\n"));
}

#[test]
fn a_closing_bracket_at_the_key_indentation_is_read_as_cloudformation_does() {
    let t = read(
        "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Action: [\n              \"s3:GetObject\",\n              \"s3:PutObject\"\n            ]\n            Resource: \"*\"\n",
    );
    let statement = &props(&t, "P")
        .get("PolicyDocument")
        .unwrap()
        .get("Statement")
        .unwrap()
        .as_array()
        .unwrap()[0];
    assert_eq!(
        statement.get("Action").unwrap().as_array().unwrap().len(),
        2
    );
    assert_eq!(statement.get("Resource").unwrap().position.line, 11);
    // Other indentation errors stay errors.
    let err = parse(
        "a:\n  b: 1\n c: 2\n",
        Path::new("t.yaml"),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(err.position().line, 3);
}

#[test]
fn hostile_templates_are_errors_with_positions() {
    // A condition that names itself.
    let err = parse(
        "Conditions:\n  A: !Condition A\nResources:\n  R:\n    Type: AWS::X::Y\n    Condition: A\n",
        Path::new("t.yaml"),
        &Options::default(),
    )
    .unwrap_err();
    assert!(err.message().contains("deeper"), "{err}");
    assert_eq!(err.position().line, 2);
    // A mapping copied many times: the copies count against the budget.
    let mut text = String::from("Mappings:\n  M:\n    K:\n      V: [");
    text.push_str(&vec!["[1,2,3,4,5,6,7,8,9,10]"; 2000].join(","));
    text.push_str("]\nResources:\n  R:\n    Type: AWS::X::Y\n    Properties:\n      L:\n");
    for _ in 0..200 {
        text.push_str("        - !FindInMap [M, K, V]\n");
    }
    let err = parse(&text, Path::new("t.yaml"), &Options::default()).unwrap_err();
    assert!(err.message().contains("steps"), "{err}");
    // Not YAML at all.
    let err = parse("a: [1,\n", Path::new("t.yaml"), &Options::default()).unwrap_err();
    assert_eq!(err.position().file.as_path(), Path::new("t.yaml"));
    // Too large.
    let big = "#".repeat(MAX_FILE_BYTES + 1);
    assert!(parse(&big, Path::new("t.yaml"), &Options::default()).is_err());
}

/// Every template of the corpus (aws-cloudformation-templates) reads, and
/// each YAML template gives the same resources, types and property values
/// as its JSON twin.
#[test]
fn corpus_yaml_and_json_twins_agree() {
    let Some(dir) = testcorpus::dir("iac/cloudformation") else {
        return;
    };
    let files = testcorpus::files(&dir, |p| p.extension().is_some_and(|e| e == "yaml"));
    assert!(files.len() >= 20, "{}", files.len());
    let mut compared = 0;
    let (mut agreed, mut differing) = (0, Vec::new());
    for yaml in files {
        let json = yaml.with_extension("json");
        let y = parse(
            &std::fs::read_to_string(&yaml).unwrap(),
            &yaml,
            &Options::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("{}: not a template", yaml.display()));
        if !json.is_file() {
            continue;
        }
        let j = parse(
            &std::fs::read_to_string(&json).unwrap(),
            &json,
            &Options::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap();
        // Twins drift (a launch configuration in JSON, a launch template in
        // YAML): resources of the same ID and type are compared.
        for a in &y.resources {
            let Some(b) = j
                .resource(&a.logical_id)
                .filter(|b| b.type_name == a.type_name)
            else {
                continue;
            };
            let strip = |n: &Option<Node>| n.as_ref().map(without_positions);
            if strip(&a.properties) == strip(&b.properties) {
                agreed += 1;
            } else {
                differing.push(format!("{} {}", yaml.display(), a.logical_id));
            }
        }
        compared += 1;
    }
    assert!(compared >= 20, "{compared}");
    // Some twins really differ (an EC2 instance with `SecurityGroups` in
    // JSON, `SecurityGroupIds` in YAML).
    eprintln!("{agreed} resources agree; differing: {differing:#?}");
    assert!(agreed >= 10 * differing.len(), "{differing:#?}");
}

/// The value with every number as text: YAML `80` and JSON `"80"` are the
/// same property to CloudFormation.
fn without_positions(node: &Node) -> String {
    match &node.value {
        Value::Object(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                // Boot scripts differ between some twins of the corpus.
                .filter(|e| e.key != "UserData")
                .map(|e| format!("{}:{}", e.key, without_positions(&e.value)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(without_positions)
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::Unresolved(t) => format!("?{}", t.replace(' ', "")),
        other => Node {
            value: other.clone(),
            position: node.position.clone(),
        }
        .scalar_text()
        .unwrap_or_else(|| "null".into()),
    }
}
