import express from "express";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";

const app = express();
app.use(express.json());

// The SDK takes the region from AWS_REGION.
const client = new BedrockRuntimeClient({});
const modelId = "anthropic.claude-sonnet-4-5-20250929-v1:0";

app.post("/api/ask", async (req, res) => {
  try {
    const out = await client.send(
      new ConverseCommand({
        modelId,
        messages: [{ role: "user", content: [{ text: String(req.body.question ?? "") }] }],
        inferenceConfig: { maxTokens: 512 },
      })
    );
    res.json({ answer: out.output?.message?.content?.[0]?.text ?? "" });
  } catch (err) {
    console.error("Bedrock call failed:", err);
    res.status(500).json({ error: String(err) });
  }
});

app.listen(Number(process.env.PORT ?? 3000), () => console.log("support-bot listening"));
