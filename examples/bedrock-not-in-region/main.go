package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
)

const modelID = "cohere.command-r-v1:0"

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("load AWS config: %v", err)
	}
	client := bedrockruntime.NewFromConfig(cfg)

	http.HandleFunc("/summarize", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Text string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, err := client.Converse(r.Context(), &bedrockruntime.ConverseInput{
			ModelId: aws.String(modelID),
			Messages: []types.Message{{
				Role:    types.ConversationRoleUser,
				Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "Summarize: " + in.Text}},
			}},
		})
		if err != nil {
			log.Printf("converse: %v", err)
			http.Error(w, "model call failed", http.StatusInternalServerError)
			return
		}
		json.NewEncoder(w).Encode(out.Output)
	})
	log.Fatal(http.ListenAndServe(os.Getenv("LISTEN_ADDR"), nil))
}
