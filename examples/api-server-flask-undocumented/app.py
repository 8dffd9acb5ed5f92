from flask import Flask, jsonify

app = Flask(__name__)

NOTES = {1: "hello"}


@app.errorhandler(Exception)
def failed(error):
    return jsonify({"error": {"code": "INTERNAL_ERROR", "message": "unexpected error"}}), 500


@app.get("/notes/<int:note_id>")
def read_note(note_id: int):
    if note_id not in NOTES:
        return jsonify({"error": {"code": "NOTE_MISSING", "message": "no such note"}}), 404
    return jsonify({"id": note_id, "text": NOTES[note_id]})


@app.delete("/notes/<int:note_id>")
def delete_note(note_id: int):
    if note_id not in NOTES:
        return jsonify({"error": {"code": "NOTE_MISSING", "message": "no such note"}}), 404
    del NOTES[note_id]
    return "", 204
