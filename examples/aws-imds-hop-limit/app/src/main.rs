use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt::init();
    // Region and credentials come from the environment and the instance role.
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_bedrockruntime::Client::new(&config);
    let reply = client
        .converse()
        .model_id("eu.amazon.nova-lite-v1:0")
        .messages(
            Message::builder()
                .role(ConversationRole::User)
                .content(ContentBlock::Text("Describe today's batch".into()))
                .build()?,
        )
        .send()
        .await?;
    println!("{:?}", reply.output());
    Ok(())
}
