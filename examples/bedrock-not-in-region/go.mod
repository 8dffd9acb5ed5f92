module example.com/summarizer

go 1.23

require (
	github.com/aws/aws-sdk-go-v2/config v1.28.6
	github.com/aws/aws-sdk-go-v2/service/bedrockruntime v1.23.0
)
