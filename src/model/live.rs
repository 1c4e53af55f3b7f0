//! Resources as read back from DingTalk (what `plan` compares the manifests with).
