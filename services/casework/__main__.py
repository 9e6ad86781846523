from services.casework.main import service

service.run()
