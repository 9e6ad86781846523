from services.notifier.main import service

service.run()
