"""The network: public–private platforms (官民連携プラットフォーム), member bodies, events, newsletters."""
