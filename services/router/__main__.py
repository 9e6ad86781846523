from services.router.main import service

service.run()
